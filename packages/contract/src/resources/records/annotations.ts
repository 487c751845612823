import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, Text, Uuid } from '../../common.js';
import { CreatedWindowQuery, QUARANTINE_VISIBILITY, recordBase, recordRoutes } from './shared.js';

export const AnnotationStatusSchema = z.enum(['active', 'quarantined']);

export const Annotation = extendApi(
  z.object({
    ...recordBase,
    interaction_event_id: Uuid.nullable(),
    body: z.string(),
    labels: z.array(z.string()),
    status: AnnotationStatusSchema.describe('quarantined when injection screening held it back'),
    injection_score: z.number().nullable().describe('Score of the injection screener, when one ran'),
  }),
  {
    title: 'Annotation',
    example: {
      id: '1c9d4e63-6c8f-4a8f-8b68-3e4f5a6b7c8d',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      interaction_event_id: '0b8a3c52-5b7e-4f7e-9a57-2d3f4e5a6b7c',
      body: 'Users click save twice because nothing confirms the first click.',
      labels: ['ux', 'feedback'],
      status: 'active',
      injection_score: null,
      created_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type Annotation = z.infer<typeof Annotation>;

const CreateAnnotation = extendApi(
  z
    .object({
      interaction_event_id: Uuid.nullish(),
      body: Text.min(1).max(20_000),
      labels: z.array(Text.min(1).max(100)).max(50).default([]),
    })
    .strict(),
  { title: 'CreateAnnotationRequest', example: { body: 'Users click save twice.', labels: ['ux'] } },
);

export const annotationsContract = c.router(
  recordRoutes({
    resource: 'annotations',
    tag: 'Annotations',
    noun: 'an annotation',
    record: Annotation,
    create: CreateAnnotation,
    listQuery: CreatedWindowQuery.extend({
      interaction_event_id: Uuid.optional(),
      label: Text.min(1).max(100).optional().describe('Only annotations carrying this label'),
      status: AnnotationStatusSchema.optional(),
    }),
    listTitle: 'AnnotationList',
    descriptions: QUARANTINE_VISIBILITY,
  }),
);
