import type { WebhookStats, WebhookStatsCounts } from '@ihf/contract';
import type { AdminSubscriptionsRepository } from '../db/repositories/admin-subscriptions.js';
import type { SubscriptionsRepository } from '../db/repositories/subscriptions.js';
import type { AttemptCounts, WebhookStatsRepository } from '../db/repositories/webhook-stats.js';
import type { Granularity } from '../db/time-buckets.js';
import { notFound } from '../errors.js';
import { iso } from '../lib/time.js';
import type { ConsumersService } from './consumers.js';
import { resolveRange } from './usage.js';

function counts({ delivered, failed }: AttemptCounts): WebhookStatsCounts {
  const attempts = delivered + failed;
  return { attempts, delivered, failed, success_rate: attempts === 0 ? null : Math.round((delivered / attempts) * 10_000) / 10_000 };
}

interface StatsQuery {
  granularity: Granularity;
  from?: string;
  to?: string;
  subscription_id?: string;
}

/** Webhook success rates over time, bucketed as usage series are (and over the same bounded ranges). */
export function createWebhookStatsService(deps: {
  repo: WebhookStatsRepository;
  subscriptions: SubscriptionsRepository;
  adminSubscriptions: AdminSubscriptionsRepository;
  consumers: Pick<ConsumersService, 'getRow'>;
  now: () => Date;
}) {
  async function stats(consumerId: string | null, q: StatsQuery): Promise<WebhookStats> {
    const { from, to } = resolveRange(q, q.granularity, deps.now());
    const filter = { from, to, consumerId: consumerId ?? undefined, subscriptionId: q.subscription_id };
    const [buckets, totals] = await Promise.all([deps.repo.series(filter, q.granularity), deps.repo.totals(filter)]);
    return {
      consumer_id: consumerId,
      subscription_id: q.subscription_id ?? null,
      granularity: q.granularity,
      from: iso(from),
      to: iso(to),
      totals: counts(totals),
      data: buckets.map((b) => ({ period_start: iso(b.period_start), ...counts(b) })),
    };
  }

  return {
    /** A consumer's own: a subscription_id must be one of its subscriptions. */
    async forConsumer(consumerId: string, q: StatsQuery): Promise<WebhookStats> {
      if (q.subscription_id && !(await deps.subscriptions.find(consumerId, q.subscription_id))) {
        throw notFound('webhook subscription', q.subscription_id);
      }
      return stats(consumerId, q);
    },

    async forAdmin(q: StatsQuery & { consumer_id?: string }): Promise<WebhookStats> {
      if (q.consumer_id) await deps.consumers.getRow(q.consumer_id);
      if (q.subscription_id) {
        const sub = await deps.adminSubscriptions.findById(q.subscription_id);
        if (!sub || (q.consumer_id && sub.api_consumer_id !== q.consumer_id)) throw notFound('webhook subscription', q.subscription_id);
      }
      return stats(q.consumer_id ?? null, q);
    },
  };
}
export type WebhookStatsService = ReturnType<typeof createWebhookStatsService>;
