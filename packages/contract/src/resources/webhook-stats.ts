import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, consumerMeta, Timestamp, Uuid } from '../common.js';
import { UsageGranularity, UsageQuery } from './usage.js';

export const WebhookStatsCounts = extendApi(
  z.object({
    attempts: z.number().int().describe('Delivery attempts that got an outcome: delivered + failed'),
    delivered: z.number().int().describe('Attempts the receiver answered with a 2xx'),
    failed: z.number().int().describe('Attempts that failed: another status, a timeout, a refused connection'),
    success_rate: z.number().min(0).max(1).nullable().describe('delivered / attempts, 0 to 1; null when there were no attempts'),
  }),
  { title: 'WebhookStatsCounts', example: { attempts: 200, delivered: 190, failed: 10, success_rate: 0.95 } },
);
export type WebhookStatsCounts = z.infer<typeof WebhookStatsCounts>;

export const WebhookStats = extendApi(
  z.object({
    consumer_id: Uuid.nullable().describe('The consumer whose subscriptions are counted; null for all consumers'),
    subscription_id: Uuid.nullable().describe('The one subscription counted, when the query named one'),
    granularity: UsageGranularity,
    from: Timestamp,
    to: Timestamp,
    totals: WebhookStatsCounts,
    data: z
      .array(
        extendApi(WebhookStatsCounts.extend({ period_start: Timestamp }), {
          title: 'WebhookStatsBucket',
          example: { period_start: '2026-11-25T10:00:00.000Z', attempts: 100, delivered: 90, failed: 10, success_rate: 0.9 },
        }),
      )
      .describe('One bucket per hour or day of the range, oldest first, zero-filled'),
  }),
  {
    title: 'WebhookStats',
    example: {
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      subscription_id: null,
      granularity: 'hour',
      from: '2026-11-25T09:00:00.000Z',
      to: '2026-11-25T11:00:00.000Z',
      totals: { attempts: 200, delivered: 190, failed: 10, success_rate: 0.95 },
      data: [
        { period_start: '2026-11-25T09:00:00.000Z', attempts: 100, delivered: 100, failed: 0, success_rate: 1 },
        { period_start: '2026-11-25T10:00:00.000Z', attempts: 100, delivered: 90, failed: 10, success_rate: 0.9 },
      ],
    },
  },
);
export type WebhookStats = z.infer<typeof WebhookStats>;

const StatsQuery = UsageQuery.omit({ key_id: true }).extend({
  subscription_id: Uuid.optional().describe('Only this subscription’s attempts'),
});
const DESCRIPTION =
  'Webhook delivery attempts from the delivery log by hour or by day: delivered, failed and the success rate ' +
  '(the share of attempts answered with a 2xx). Attempts of deleted subscriptions still count. Not paginated: `data` ' +
  'holds one bucket per hour or day of the range, which `from`, `to` and `granularity` bound (at most 744 hourly or 366 daily buckets).';

export const webhookStatsContract = c.router({
  get: {
    method: 'GET',
    path: '/webhook-stats',
    query: StatsQuery,
    responses: { 200: WebhookStats },
    summary: 'Your webhook success rate',
    description: `${DESCRIPTION} Your own subscriptions only; another consumer’s subscription_id is 404.`,
    metadata: consumerMeta('Webhooks', ['webhooks:manage']),
  },
});

export const adminWebhookStatsContract = c.router({
  get: {
    method: 'GET',
    path: '/admin/webhook-stats',
    query: StatsQuery.extend({ consumer_id: Uuid.optional().describe('Only this consumer’s subscriptions (default: all)') }),
    responses: { 200: WebhookStats },
    summary: 'Webhook success rate across consumers',
    description: DESCRIPTION,
    metadata: adminMeta('Admin: webhooks'),
  },
});
