import type { Sql } from '../client.js';
import { bucketOf, bucketStarts, type Granularity } from '../time-buckets.js';

export interface WebhookStatsFilter {
  from: Date;
  to: Date;
  consumerId?: string;
  subscriptionId?: string;
}

export interface AttemptCounts {
  delivered: number;
  failed: number;
}

/** Outcomes of delivery attempts from the append-only delivery log, for success-rate charts. */
export function createWebhookStatsRepository(sql: Sql) {
  const counts = sql`
    count(*) FILTER (WHERE d.status = 'delivered')::int AS delivered,
    count(*) FILTER (WHERE d.status = 'failed')::int AS failed`;
  const where = (f: WebhookStatsFilter) => sql`
    d.attempted_at >= ${f.from} AND d.attempted_at < ${f.to}
    ${f.consumerId ? sql`AND d.webhook_subscription_id IN (SELECT id FROM webhook_subscriptions WHERE api_consumer_id = ${f.consumerId})` : sql``}
    ${f.subscriptionId ? sql`AND d.webhook_subscription_id = ${f.subscriptionId}` : sql``}`;

  return {
    /** Buckets from `from` to `to` (zero-filled), oldest first. */
    async series(f: WebhookStatsFilter, granularity: Granularity): Promise<(AttemptCounts & { period_start: Date })[]> {
      return sql<(AttemptCounts & { period_start: Date })[]>`
        WITH buckets AS (${bucketStarts(sql, granularity, f.from, f.to)}
        ), agg AS (
          SELECT ${bucketOf(sql, granularity, 'd.attempted_at')} AS period_start, ${counts}
          FROM webhook_deliveries d WHERE ${where(f)}
          GROUP BY 1
        )
        SELECT b.period_start, coalesce(a.delivered, 0) AS delivered, coalesce(a.failed, 0) AS failed
        FROM buckets b LEFT JOIN agg a USING (period_start)
        ORDER BY b.period_start`;
    },

    async totals(f: WebhookStatsFilter): Promise<AttemptCounts> {
      const [row] = await sql<AttemptCounts[]>`SELECT ${counts} FROM webhook_deliveries d WHERE ${where(f)}`;
      return row!;
    },
  };
}
export type WebhookStatsRepository = ReturnType<typeof createWebhookStatsRepository>;
