import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, Text, Timestamp, Uuid } from '../../common.js';
import { CreatedWindowQuery, recordBase, recordRoutes } from './shared.js';

export const OutcomeSignal = extendApi(
  z.object({
    ...recordBase,
    deployment_record_id: Uuid,
    metric: z.string(),
    value: z.number(),
    unit: z.string().nullable(),
    baseline: z.number().nullable(),
    observed_at: Timestamp,
  }),
  {
    title: 'OutcomeSignal',
    example: {
      id: '5a3b8ca7-a0cd-4ecd-9fac-7c8d9eafb0c1',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      deployment_record_id: '4f2a7b96-9fbc-4dbc-8e9b-6b7c8d9eafb0',
      metric: 'double_save_rate',
      value: 0.012,
      unit: 'ratio',
      baseline: 0.087,
      observed_at: '2026-12-03T00:00:00.000Z',
      created_at: '2026-12-03T00:00:05.000Z',
    },
  },
);
export type OutcomeSignal = z.infer<typeof OutcomeSignal>;

const CreateOutcomeSignal = extendApi(
  z
    .object({
      deployment_record_id: Uuid,
      metric: Text.trim().min(1).max(200),
      value: z.number().finite(),
      unit: Text.trim().min(1).max(50).nullish(),
      baseline: z.number().finite().nullish(),
      observed_at: Timestamp,
    })
    .strict(),
  {
    title: 'CreateOutcomeSignalRequest',
    example: {
      deployment_record_id: '4f2a7b96-9fbc-4dbc-8e9b-6b7c8d9eafb0',
      metric: 'double_save_rate',
      value: 0.012,
      unit: 'ratio',
      baseline: 0.087,
      observed_at: '2026-12-03T00:00:00Z',
    },
  },
);

export const outcomeSignalsContract = c.router(
  recordRoutes({
    resource: 'outcome-signals',
    tag: 'Outcome signals',
    noun: 'an outcome signal',
    record: OutcomeSignal,
    create: CreateOutcomeSignal,
    listQuery: CreatedWindowQuery.extend({
      deployment_record_id: Uuid.optional(),
      metric: Text.min(1).max(200).optional(),
    }),
    listTitle: 'OutcomeSignalList',
  }),
);
