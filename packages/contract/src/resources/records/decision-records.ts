import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, Text, Timestamp, Uuid } from '../../common.js';
import { CreatedWindowQuery, recordBase, recordRoutes } from './shared.js';

export const DecisionOutcomeSchema = z.enum(['accepted', 'rejected', 'deferred']);

export const DecisionRecord = extendApi(
  z.object({
    ...recordBase,
    requirement_candidate_id: Uuid,
    outcome: DecisionOutcomeSchema,
    rationale: z.string(),
    decided_by: z.string(),
    decided_at: Timestamp,
  }),
  {
    title: 'DecisionRecord',
    example: {
      id: '3e1f6a85-8eab-4cab-8d8a-5a6b7c8d9eaf',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      requirement_candidate_id: '2d0e5f74-7d9a-4b9a-9c79-4f5a6b7c8d9e',
      outcome: 'accepted',
      rationale: 'Cheap and clearly wanted.',
      decided_by: 'product-council',
      decided_at: '2026-11-25T11:00:00.000Z',
      created_at: '2026-11-25T11:00:01.000Z',
    },
  },
);
export type DecisionRecord = z.infer<typeof DecisionRecord>;

const CreateDecisionRecord = extendApi(
  z
    .object({
      requirement_candidate_id: Uuid,
      outcome: DecisionOutcomeSchema,
      rationale: Text.max(20_000).default(''),
      decided_by: Text.trim().min(1).max(200),
      decided_at: Timestamp,
    })
    .strict(),
  {
    title: 'CreateDecisionRecordRequest',
    example: {
      requirement_candidate_id: '2d0e5f74-7d9a-4b9a-9c79-4f5a6b7c8d9e',
      outcome: 'accepted',
      decided_by: 'product-council',
      decided_at: '2026-11-25T11:00:00Z',
    },
  },
);

export const decisionRecordsContract = c.router(
  recordRoutes({
    resource: 'decision-records',
    tag: 'Decision records',
    noun: 'a decision record',
    record: DecisionRecord,
    create: CreateDecisionRecord,
    listQuery: CreatedWindowQuery.extend({
      requirement_candidate_id: Uuid.optional(),
      outcome: DecisionOutcomeSchema.optional(),
    }),
    listTitle: 'DecisionRecordList',
    descriptions: {
      create:
        '`requirement_candidate_id` may name only a candidate the caller can read: another consumer’s quarantined ' +
        'candidate is a 422 `invalid_reference`, exactly as a missing one is.',
    },
  }),
);
