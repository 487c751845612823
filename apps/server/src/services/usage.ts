import type { BillingUsage, RequestLogPage, StatusClass, TrafficSeries, UsageCountsT, UsageOverview, UsageSeries } from '@ihf/contract';
import type { ConsumersRepository } from '../db/repositories/consumers.js';
import type { Granularity, RequestLogRepository, UsageBucket } from '../db/repositories/request-log.js';
import { toPage } from '../db/pagination.js';
import { ApiError, notFound } from '../errors.js';
import { iso, isoOrNull } from '../lib/time.js';
import { decodeOverviewCursor, encodeOverviewCursor } from './usage-overview-cursor.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Longest range per granularity, so one read stays a bounded number of buckets. */
const MAX_RANGE: Record<Granularity, number> = { hour: 31 * DAY, day: 366 * DAY };
const DEFAULT_RANGE: Record<Granularity, number> = { hour: DAY, day: 30 * DAY };

const round = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

function counts(b: UsageBucket): UsageCountsT {
  return {
    requests: b.requests,
    status_2xx: b.status_2xx,
    status_3xx: b.status_3xx,
    status_4xx: b.status_4xx,
    status_5xx: b.status_5xx,
    rate_limited: b.rate_limited,
    latency_ms: { p50: round(b.p50), p95: round(b.p95), p99: round(b.p99) },
  };
}

function rangeError(pointer: string, message: string): ApiError {
  return new ApiError('validation_failed', message, {
    errors: [{ location: 'query', pointer, message, code: 'invalid_range' }],
  });
}

/** Resolves from/to against the clock and bounds the range. */
export function resolveRange(q: { from?: string; to?: string }, granularity: Granularity, now: Date, defaultSpan = DEFAULT_RANGE[granularity]) {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultSpan);
  if (from >= to) throw rangeError('/from', '`from` must be before `to`.');
  if (to.getTime() - from.getTime() > MAX_RANGE[granularity]) {
    throw rangeError('/from', `A ${granularity} series covers at most ${MAX_RANGE[granularity] / DAY} days.`);
  }
  return { from, to };
}

export function createUsageService(deps: { requestLog: RequestLogRepository; consumers: ConsumersRepository; now: () => Date }) {
  const { requestLog } = deps;

  /** The request log bucketed over the range: one consumer's, or (no consumerId) everyone's. */
  async function bucketed(
    q: { granularity: Granularity; from?: string; to?: string; key_id?: string },
    consumerId?: string,
  ): Promise<TrafficSeries> {
    const { from, to } = resolveRange(q, q.granularity, deps.now());
    const filter = { from, to, consumerId, keyId: q.key_id };
    const [buckets, totals] = await Promise.all([requestLog.series(filter, q.granularity), requestLog.totals(filter)]);
    return {
      granularity: q.granularity,
      from: iso(from),
      to: iso(to),
      totals: counts(totals),
      data: buckets.map((b) => ({ period_start: iso(b.period_start), ...counts(b) })),
    };
  }

  async function series(consumerId: string, q: Parameters<typeof bucketed>[0]): Promise<UsageSeries> {
    return { consumer_id: consumerId, ...(await bucketed(q, consumerId)) };
  }

  async function requireConsumer(id: string) {
    const consumer = await deps.consumers.findById(id);
    if (!consumer) throw notFound('consumer', id);
    return consumer;
  }

  return {
    series,

    /** All traffic: every consumer's requests, the operator's and the unauthenticated. */
    traffic: (q: { granularity: Granularity; from?: string; to?: string }) => bucketed(q),

    async consumerSeries(consumerId: string, q: Parameters<typeof series>[1]): Promise<UsageSeries> {
      await requireConsumer(consumerId);
      return series(consumerId, q);
    },

    /** Busiest first; later pages rank the range the first page resolved, carried in the cursor. */
    async overview(q: { from?: string; to?: string; limit: number; cursor?: string }): Promise<UsageOverview> {
      const after = q.cursor ? decodeOverviewCursor(q.cursor) : undefined;
      // A cursor's range is bounded as a query's is: a forged one cannot ask for more.
      const range = after ? { from: after.from.toISOString(), to: after.to.toISOString() } : q;
      const { from, to } = resolveRange(range, 'day', deps.now(), DAY);
      const offset = after?.offset ?? 0;
      const [rows, totals] = await Promise.all([
        requestLog.byConsumer({ from, to }, q.limit + 1, offset),
        requestLog.totals({ from, to }),
      ]);
      const more = rows.length > q.limit;
      return {
        from: iso(from),
        to: iso(to),
        totals: counts(totals),
        data: rows.slice(0, q.limit).map((r) => ({ consumer_id: r.api_consumer_id, name: r.name, ...counts(r) })),
        next_cursor: more ? encodeOverviewCursor({ from, to, offset: offset + q.limit }) : null,
      };
    },

    async requestLogPage(q: {
      limit: number;
      cursor?: string;
      from?: string;
      to?: string;
      consumer_id?: string;
      key_id?: string;
      status_code?: number;
      status_class?: StatusClass;
    }): Promise<RequestLogPage> {
      const rows = await requestLog.list({
        limit: q.limit,
        cursor: q.cursor,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        consumerId: q.consumer_id,
        keyId: q.key_id,
        statusCode: q.status_code,
        statusClass: q.status_class,
      });
      return toPage(rows, q.limit, (r) => ({
        id: r.id,
        consumer_id: r.api_consumer_id,
        key_id: r.api_key_id,
        endpoint: r.endpoint,
        method: r.method,
        status_code: r.status_code,
        latency_ms: r.latency_ms,
        request_id: r.request_id,
        requested_at: iso(r.requested_at),
      }));
    },

    /** The current UTC calendar month's billed requests, per key and in total. */
    async billing(consumerId: string): Promise<BillingUsage> {
      await requireConsumer(consumerId);
      const now = deps.now();
      const periodStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
      const periodEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      const keys = (await requestLog.billingKeys(consumerId)).map((k) => ({
        key_id: k.id,
        key_prefix: k.key_prefix,
        name: k.name,
        token_type: k.token_type,
        revoked_at: isoOrNull(k.revoked_at),
        last_used_at: isoOrNull(k.last_used_at),
        // A key unused since an earlier period has billed nothing in this one.
        requests: k.billing_period_start.getTime() === periodStart.getTime() ? Number(k.billing_period_requests) : 0,
      }));
      return {
        consumer_id: consumerId,
        period_start: iso(periodStart),
        period_end: iso(periodEnd),
        requests: keys.reduce((n, k) => n + k.requests, 0),
        keys,
      };
    },
  };
}
export type UsageService = ReturnType<typeof createUsageService>;
