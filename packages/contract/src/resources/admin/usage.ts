import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, listOf, PaginationQuery, Timestamp, timestamp, Uuid } from '../../common.js';
import { UsageBucket, UsageCounts, UsageGranularity, UsageQuery, UsageSeries } from '../usage.js';
import { TokenTypeSchema } from './keys.js';

const Range = z.object({
  from: Timestamp.optional().describe('Start of the range, inclusive (default: 24 hours ago)'),
  to: Timestamp.optional().describe('End of the range, exclusive (default: now)'),
});

export const ConsumerUsage = extendApi(
  UsageCounts.extend({
    consumer_id: Uuid.nullable().describe('null for requests no consumer was authenticated for (401s, 404s, the operator token)'),
    name: z.string().nullable(),
  }),
  { title: 'ConsumerUsage' },
);

export const UsageOverview = extendApi(
  z.object({
    from: Timestamp,
    to: Timestamp,
    totals: UsageCounts,
    data: z.array(ConsumerUsage).describe('Busiest consumers first'),
    next_cursor: z.string().nullable().describe('Pass as `cursor` for the next consumers of the same range; null on the last page'),
  }),
  { title: 'UsageOverview' },
);

export const RequestLogEntry = extendApi(
  z.object({
    id: Uuid,
    consumer_id: Uuid.nullable(),
    key_id: Uuid.nullable(),
    endpoint: z.string().describe('The route template, e.g. /api/v2/annotations/:id (the path when no route matched)'),
    method: z.string(),
    status_code: z.number().int().describe('499 when the client went away before the response was sent'),
    latency_ms: z.number().int().nullable(),
    request_id: z.string().nullable(),
    requested_at: Timestamp,
  }),
  {
    title: 'RequestLogEntry',
    example: {
      id: '0b7e6d3c-5f4a-4b2c-9d1e-8a7b6c5d4e3f',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      key_id: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
      endpoint: '/api/v2/me',
      method: 'GET',
      status_code: 200,
      latency_ms: 3,
      request_id: '5f0c6c1e-2a8b-4c52-9d38-3f3c2b1f6a90',
      requested_at: '2026-11-25T10:00:00.000Z',
    },
  },
);

export const KeyBillingUsage = extendApi(
  z.object({
    key_id: Uuid,
    key_prefix: z.string(),
    name: z.string().nullable(),
    token_type: TokenTypeSchema,
    revoked_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
    requests: z.number().int().describe('Requests billed to this key in the current period (429s are not billed)'),
  }),
  { title: 'KeyBillingUsage' },
);

export const BillingUsage = extendApi(
  z.object({
    consumer_id: Uuid,
    period_start: timestamp('Billing periods are UTC calendar months'),
    period_end: Timestamp,
    requests: z.number().int(),
    keys: z.array(KeyBillingUsage),
  }),
  {
    title: 'BillingUsage',
    example: {
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      period_start: '2026-11-01T00:00:00.000Z',
      period_end: '2026-12-01T00:00:00.000Z',
      requests: 1234,
      keys: [
        {
          key_id: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
          key_prefix: '3fa85f64',
          name: 'nightly sync',
          token_type: 'static',
          revoked_at: null,
          last_used_at: '2026-11-25T09:59:00.000Z',
          requests: 1234,
        },
      ],
    },
  },
);

export const RequestLogPage = listOf(RequestLogEntry, 'RequestLogPage');

export const TrafficSeries = extendApi(
  z.object({
    granularity: UsageGranularity,
    from: Timestamp,
    to: Timestamp,
    totals: UsageCounts,
    data: z.array(UsageBucket).describe('One bucket per hour or day of the range, oldest first, zero-filled'),
  }),
  {
    title: 'TrafficSeries',
    description: 'Every /api/v2 request: of every consumer, the operator’s, and those no credential was accepted for',
    example: {
      granularity: 'hour',
      from: '2026-11-25T10:00:00.000Z',
      to: '2026-11-25T11:00:00.000Z',
      totals: { requests: 900, status_2xx: 850, status_3xx: 0, status_4xx: 45, status_5xx: 5, rate_limited: 20, latency_ms: { p50: 4, p95: 12, p99: 30 } },
      data: [
        {
          period_start: '2026-11-25T10:00:00.000Z',
          requests: 900,
          status_2xx: 850,
          status_3xx: 0,
          status_4xx: 45,
          status_5xx: 5,
          rate_limited: 20,
          latency_ms: { p50: 4, p95: 12, p99: 30 },
        },
      ],
    },
  },
);

export const StatusClassSchema = z.enum(['2xx', '3xx', '4xx', '5xx']);
export type StatusClass = z.infer<typeof StatusClassSchema>;

const ConsumerParams = z.object({ consumerId: Uuid });
const tag = 'Admin: usage';
/** Why the series below answer `data` without `next_cursor`. */
export const SERIES_NOTE =
  'Not paginated: `data` holds one bucket per hour or day of the range, which `from`, `to` and `granularity` bound (at most 744 hourly or 366 daily buckets).';

export const adminUsageContract = c.router({
  overview: {
    method: 'GET',
    path: '/admin/usage',
    query: Range.merge(PaginationQuery).extend({
      limit: PaginationQuery.shape.limit.describe('How many consumers per page, busiest first (1 to 200)'),
    }),
    responses: { 200: UsageOverview },
    summary: 'Usage across consumers',
    description:
      'Requests per consumer over the range, with status classes and latency percentiles, busiest first and ' +
      'paginated: a `cursor` carries the range of the first page, so every page ranks the same window ' +
      '(`from` and `to` are then ignored).',
    metadata: adminMeta(tag),
  },
  consumer: {
    method: 'GET',
    path: '/admin/consumers/:consumerId/usage',
    pathParams: ConsumerParams,
    query: UsageQuery,
    responses: { 200: UsageSeries },
    summary: 'A consumer’s usage series',
    description: SERIES_NOTE,
    metadata: adminMeta(tag),
  },
  billing: {
    method: 'GET',
    path: '/admin/consumers/:consumerId/billing-usage',
    pathParams: ConsumerParams,
    responses: { 200: BillingUsage },
    summary: 'A consumer’s billing-period usage, per key',
    metadata: adminMeta(tag),
  },
  requestLog: {
    method: 'GET',
    path: '/admin/request-log',
    query: PaginationQuery.extend({
      from: Timestamp.optional().describe('Only requests at or after this time'),
      to: Timestamp.optional().describe('Only requests before this time'),
      consumer_id: Uuid.optional(),
      key_id: Uuid.optional(),
      status_code: z.coerce.number().int().min(100).max(599).optional(),
      status_class: StatusClassSchema.optional().describe('Only responses of this class, e.g. `5xx`'),
    }),
    responses: { 200: RequestLogPage },
    summary: 'The request log across consumers',
    description: 'Newest first. No bodies and no credentials are ever logged.',
    metadata: adminMeta(tag),
  },
  series: {
    method: 'GET',
    path: '/admin/usage/series',
    query: UsageQuery.omit({ key_id: true }),
    responses: { 200: TrafficSeries },
    summary: 'All traffic over time',
    description: `Every request in the request log by hour or by day: counts by status class, 429s and latency percentiles. ${SERIES_NOTE}`,
    metadata: adminMeta(tag),
  },
});
export type UsageOverview = z.infer<typeof UsageOverview>;
export type BillingUsage = z.infer<typeof BillingUsage>;
export type RequestLogPage = z.infer<typeof RequestLogPage>;
export type TrafficSeries = z.infer<typeof TrafficSeries>;
