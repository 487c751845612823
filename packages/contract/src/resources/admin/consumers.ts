import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, IdempotencyHeaders, listOf, PaginationQuery, Problem, Timestamp, Uuid } from '../../common.js';
import { TIER_DEFAULTS, TierSchema } from '../../tiers.js';

const tierDefaults = Object.entries(TIER_DEFAULTS)
  .map(([tier, d]) => `${tier} ${d.rate_limit_per_minute}/min, ${d.quota_per_day}/day, burst ${d.burst_threshold}`)
  .join('; ');

export const LimitOverrides = extendApi(
  z.object({
    rate_limit_per_minute: z.number().int().nullable(),
    quota_per_day: z.number().int().nullable(),
    burst_threshold: z.number().int().nullable(),
  }),
  {
    title: 'ConsumerLimitOverrides',
    description:
      `The limits an operator set for this consumer; null where the tier’s default applies (${tierDefaults}). ` +
      'Overrides survive a tier change. The server’s BURST_THRESHOLD, when its operator sets one, replaces the tiers’ burst defaults.',
  },
);

export const Consumer = extendApi(
  z.object({
    id: Uuid,
    name: z.string(),
    description: z.string().nullable(),
    tier: TierSchema,
    hub_capability_manifest_id: Uuid.nullable(),
    rate_limit_per_minute: z.number().int().describe('In effect: the override in `limit_overrides`, else the tier’s default'),
    quota_per_day: z.number().int().describe('In effect: the override in `limit_overrides`, else the tier’s default'),
    burst_threshold: z
      .number()
      .int()
      .describe('Requests allowed within the burst window, in effect: the override in `limit_overrides`, else the tier’s default'),
    limit_overrides: LimitOverrides,
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
      quota_per_day: 1000000,
      burst_threshold: 200,
      limit_overrides: { rate_limit_per_minute: null, quota_per_day: 1000000, burst_threshold: null },
      quota_resets_at: '2026-11-26T00:00:00.000Z',
      quota_used_today: 1234,
      is_active: true,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type Consumer = z.infer<typeof Consumer>;

const INHERITS = 'null: inherit the tier’s default';
const limits = {
  rate_limit_per_minute: z.number().int().min(1).max(1_000_000).nullable().describe(INHERITS),
  quota_per_day: z.number().int().min(1).max(1_000_000_000).nullable().describe(INHERITS),
  burst_threshold: z.number().int().min(1).max(1_000_000).nullable().describe(INHERITS),
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
      'A limit set to a number overrides the tier’s default, and keeps doing so when `tier` changes; set to null, ' +
      'it inherits the tier’s default again. Limits not in the request are left as they are.',
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
    headers: IdempotencyHeaders,
    responses: { 201: Consumer, 409: Problem },
    summary: 'Create a consumer',
    description:
      'Limits not given (or null) inherit the tier’s defaults, and follow the tier when it changes. ' +
      '409 while a request with the same `Idempotency-Key` is still running.',
    metadata: adminMeta(tag, { idempotent: true }),
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
