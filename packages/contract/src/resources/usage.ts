import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, Timestamp, Uuid } from '../common.js';

export const UsageGranularity = z.enum(['hour', 'day']);

/** The range a usage read covers; defaults depend on the granularity (see the route). */
export const UsageQuery = z.object({
  granularity: UsageGranularity.default('hour').describe('Bucket size: `hour` (range up to 31 days) or `day` (up to 366 days)'),
  from: Timestamp.optional().describe('Start of the range, inclusive (default: 24 hours ago for `hour`, 30 days ago for `day`)'),
  to: Timestamp.optional().describe('End of the range, exclusive (default: now)'),
  key_id: Uuid.optional().describe('Only requests made with this key'),
});

export const LatencyPercentiles = z
  .object({
    p50: z.number().nullable(),
    p95: z.number().nullable(),
    p99: z.number().nullable(),
  })
  .describe('Server-side latency in milliseconds; null when there were no requests');

export const UsageCounts = extendApi(
  z.object({
    requests: z.number().int(),
    status_2xx: z.number().int(),
    status_3xx: z.number().int(),
    status_4xx: z.number().int(),
    status_5xx: z.number().int(),
    rate_limited: z.number().int().describe('Requests refused with 429 (also counted in status_4xx)'),
    latency_ms: LatencyPercentiles,
  }),
  { title: 'UsageCounts' },
);

export const UsageBucket = extendApi(UsageCounts.extend({ period_start: Timestamp }), { title: 'UsageBucket' });

export const UsageSeries = extendApi(
  z.object({
    consumer_id: Uuid,
    granularity: UsageGranularity,
    from: Timestamp,
    to: Timestamp,
    totals: UsageCounts,
    data: z.array(UsageBucket).describe('One bucket per hour or day of the range, oldest first, zero-filled'),
  }),
  {
    title: 'UsageSeries',
    example: {
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      granularity: 'hour',
      from: '2026-11-25T09:00:00.000Z',
      to: '2026-11-25T11:00:00.000Z',
      totals: {
        requests: 1210,
        status_2xx: 1180,
        status_3xx: 0,
        status_4xx: 30,
        status_5xx: 0,
        rate_limited: 12,
        latency_ms: { p50: 4, p95: 11, p99: 23 },
      },
      data: [
        {
          period_start: '2026-11-25T09:00:00.000Z',
          requests: 610,
          status_2xx: 600,
          status_3xx: 0,
          status_4xx: 10,
          status_5xx: 0,
          rate_limited: 2,
          latency_ms: { p50: 4, p95: 10, p99: 20 },
        },
        {
          period_start: '2026-11-25T10:00:00.000Z',
          requests: 600,
          status_2xx: 580,
          status_3xx: 0,
          status_4xx: 20,
          status_5xx: 0,
          rate_limited: 10,
          latency_ms: { p50: 4, p95: 12, p99: 25 },
        },
      ],
    },
  },
);
export type UsageSeries = z.infer<typeof UsageSeries>;

export const usageContract = c.router({
  get: {
    method: 'GET',
    path: '/usage',
    query: UsageQuery,
    responses: { 200: UsageSeries },
    summary: 'Your usage',
    description:
      'The calling consumer’s requests from the request log, by hour or by day: counts by status class, ' +
      '429s, and latency percentiles. Recent requests appear within about a second (the log is written in batches). ' +
      'Not paginated: `data` holds one bucket per hour or day of the range, which `from`, `to` and `granularity` bound ' +
      '(at most 744 hourly or 366 daily buckets).',
    metadata: consumerMeta('Usage', ['usage:read']),
  },
});
export type UsageCountsT = z.infer<typeof UsageCounts>;
