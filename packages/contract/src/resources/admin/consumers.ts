import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, listOf, PaginationQuery, Timestamp, Uuid } from '../../common.js';
import { TierSchema } from '../../tiers.js';

export const Consumer = extendApi(
  z.object({
    id: Uuid,
    name: z.string(),
    description: z.string().nullable(),
    tier: TierSchema,
    hub_capability_manifest_id: Uuid.nullable(),
    rate_limit_per_minute: z.number().int(),
    quota_per_day: z.number().int(),
    burst_threshold: z
      .number()
      .int()
      .nullable()
      .describe('Requests allowed within the burst window; null uses the server default'),
    quota_resets_at: Timestamp,
    quota_used_today: z
      .number()
      .int()
      .describe('Requests admitted today (UTC), counted from the request log, which is written within about a second'),
    is_active: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  {
    title: 'Consumer',
    example: {
      id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      name: 'Acme analytics',
      description: 'Reads interaction events nightly',
      tier: 'pro',
      hub_capability_manifest_id: null,
      rate_limit_per_minute: 600,
      quota_per_day: 200000,
      burst_threshold: null,
      quota_resets_at: '2026-11-26T00:00:00.000Z',
      quota_used_today: 1234,
      is_active: true,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type Consumer = z.infer<typeof Consumer>;

const limits = {
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000),
  quota_per_day: z.number().int().min(1).max(1_000_000_000),
  burst_threshold: z.number().int().min(1).max(1_000_000).nullable(),
};

const CreateConsumer = extendApi(
  z
    .object({
      name: z.string().trim().min(1).max(200),
      description: z.string().max(2000).nullish(),
      tier: TierSchema.default('free'),
      rate_limit_per_minute: limits.rate_limit_per_minute.optional(),
      quota_per_day: limits.quota_per_day.optional(),
      burst_threshold: limits.burst_threshold.optional(),
      hub_capability_manifest_id: Uuid.nullish(),
    })
    .strict(),
  { title: 'CreateConsumerRequest', example: { name: 'Acme analytics', tier: 'pro' } },
);

const UpdateConsumer = extendApi(
  z
    .object({
      name: z.string().trim().min(1).max(200),
      description: z.string().max(2000).nullable(),
      tier: TierSchema,
      ...limits,
      hub_capability_manifest_id: Uuid.nullable(),
      is_active: z.boolean(),
    })
    .partial()
    .strict(),
  {
    title: 'UpdateConsumerRequest',
    description:
      'Changing `tier` resets the limits to the new tier’s defaults unless the same request sets them.',
    example: { tier: 'enterprise' },
  },
);

const ConsumerParams = z.object({ consumerId: Uuid });
const tag = 'Admin: consumers';

export const consumersContract = c.router({
  create: {
    method: 'POST',
    path: '/admin/consumers',
    body: CreateConsumer,
    responses: { 201: Consumer },
    summary: 'Create a consumer',
    description: 'Limits not given are taken from the tier’s defaults.',
    metadata: adminMeta(tag),
  },
  list: {
    method: 'GET',
    path: '/admin/consumers',
    query: PaginationQuery.extend({
      is_active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
    }),
    responses: { 200: listOf(Consumer, 'ConsumerList') },
    summary: 'List consumers',
    metadata: adminMeta(tag),
  },
  get: {
    method: 'GET',
    path: '/admin/consumers/:consumerId',
    pathParams: ConsumerParams,
    responses: { 200: Consumer },
    summary: 'Get a consumer',
    metadata: adminMeta(tag),
  },
  update: {
    method: 'PATCH',
    path: '/admin/consumers/:consumerId',
    pathParams: ConsumerParams,
    body: UpdateConsumer,
    responses: { 200: Consumer },
    summary: 'Update a consumer',
    metadata: adminMeta(tag),
  },
  deactivate: {
    method: 'POST',
    path: '/admin/consumers/:consumerId/deactivate',
    pathParams: ConsumerParams,
    body: c.noBody(),
    responses: { 200: Consumer },
    summary: 'Deactivate a consumer',
    description: 'Every key and token of a deactivated consumer is refused at once. Reactivate with an update.',
    metadata: adminMeta(tag),
  },
});
