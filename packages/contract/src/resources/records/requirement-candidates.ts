import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, Text, Timestamp, Uuid } from '../../common.js';
import { CreatedWindowQuery, QUARANTINE_VISIBILITY, recordBase, recordRoutes } from './shared.js';

export const CandidateStatusSchema = z.enum(['pending_review', 'approved', 'rejected', 'quarantined']);

export const RequirementCandidate = extendApi(
  z.object({
    ...recordBase,
    title: z.string(),
    description: z.string(),
    category: z.string(),
    source_annotation_ids: z.array(Uuid),
    status: CandidateStatusSchema,
    injection_score: z.number().nullable(),
    reviewed_at: Timestamp.nullable(),
    review_note: z.string().nullable(),
    updated_at: Timestamp,
  }),
  {
    title: 'RequirementCandidate',
    example: {
      id: '2d0e5f74-7d9a-4b9a-9c79-4f5a6b7c8d9e',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      title: 'Confirm saves visibly',
      description: 'Show a toast after a successful save.',
      category: 'ux',
      source_annotation_ids: ['1c9d4e63-6c8f-4a8f-8b68-3e4f5a6b7c8d'],
      status: 'pending_review',
      injection_score: null,
      reviewed_at: null,
      review_note: null,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type RequirementCandidate = z.infer<typeof RequirementCandidate>;

const CreateRequirementCandidate = extendApi(
  z
    .object({
      title: Text.trim().min(1).max(500),
      description: Text.max(20_000).default(''),
      category: Text.trim().min(1).max(100),
      source_annotation_ids: z.array(Uuid).max(100).default([]),
    })
    .strict(),
  {
    title: 'CreateRequirementCandidateRequest',
    example: { title: 'Confirm saves visibly', category: 'ux', source_annotation_ids: ['1c9d4e63-6c8f-4a8f-8b68-3e4f5a6b7c8d'] },
  },
);

export const requirementCandidatesContract = c.router(
  recordRoutes({
    resource: 'requirement-candidates',
    tag: 'Requirement candidates',
    noun: 'a requirement candidate',
    record: RequirementCandidate,
    create: CreateRequirementCandidate,
    listQuery: CreatedWindowQuery.extend({
      status: CandidateStatusSchema.optional(),
      category: Text.min(1).max(100).optional(),
    }),
    listTitle: 'RequirementCandidateList',
    descriptions: {
      ...QUARANTINE_VISIBILITY,
      create:
        '`source_annotation_ids` may name only annotations the caller can read: another consumer’s quarantined ' +
        'annotation is a 422 `invalid_reference`, exactly as a missing one is.',
    },
  }),
);
