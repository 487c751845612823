import type { Config } from '../../config.js';
import type { ConsumerRow } from '../../db/repositories/consumers.js';
import type { PolicyState } from './headers.js';
import { policiesFor, secondsToUtcMidnight, utcDay, type Policy } from './policy.js';
import type { Count, CounterStore } from './store.js';

export interface Decision {
  admitted: boolean;
  /** Burst, minute and day, in that order, as the client should see them after this request. */
  states: PolicyState[];
  /** The limit that refused the request. */
  refusedBy?: PolicyState;
}

type LimitedConsumer = Pick<ConsumerRow, 'id' | 'rate_limit_per_minute' | 'quota_per_day' | 'burst_threshold'>;

/**
 * Burst and per-minute windows start with a consumer's first request in them and last
 * their length (the store's TTL), so N requests sent together are never split across two
 * windows. The daily quota is one counter per UTC date, read from the injected clock, so
 * it resets at UTC midnight exactly.
 *
 * A refused request gives back what it took from every counter, so the counters hold
 * admitted requests only: /me's `used_today` is the quota counter itself, and a request
 * refused by the burst rule does not spend the minute's or the day's allowance. Giving
 * back never lets more in than the limit: a counter only passes its limit when it is
 * already full, and every increment sees its own count.
 */
export function createTrafficLimiter(deps: {
  store: CounterStore;
  config: Config;
  now: () => Date;
  /**
   * Requests already admitted today according to the request log. Read when a day
   * counter is created, so a restart (in-process counters) or a Redis that lost its data
   * does not hand a consumer a fresh daily quota in the middle of the day.
   */
  admittedToday?: (consumerId: string, now: Date) => Promise<number>;
}) {
  const { store } = deps;
  // The day count each consumer's latest check saw, so /me answers without another round trip.
  const lastDay = new Map<string, { day: string; value: number }>();
  const keys = (consumerId: string, burst: Policy, t: Date) => ({
    burst: `b:${consumerId}:${burst.window}`,
    minute: `m:${consumerId}`,
    day: `d:${consumerId}:${utcDay(t)}`,
  });
  // A little past midnight, so replicas whose clocks differ slightly still share the day's key.
  const dayTtl = (t: Date) => secondsToUtcMidnight(t) + 60;

  return {
    store,

    async check(consumer: LimitedConsumer): Promise<Decision> {
      const t = deps.now();
      const [burst, minute, day] = policiesFor(consumer, deps.config) as [Policy, Policy, Policy];
      const k = keys(consumer.id, burst, t);
      const [b, m] = await Promise.all([store.add(k.burst, 1, burst.window), store.add(k.minute, 1, minute.window)]);
      let refused: Policy | undefined = b.value > burst.quota ? burst : m.value > minute.quota ? minute : undefined;
      let d: Count | undefined;
      if (!refused) {
        d = await store.add(k.day, 1, dayTtl(t));
        if (d.value === 1 && deps.admittedToday) {
          const earlier = await deps.admittedToday(consumer.id, t);
          if (earlier > 0) d = await store.add(k.day, earlier, dayTtl(t));
        }
        if (d.value > day.quota) refused = day;
      }
      if (refused) {
        await Promise.all([
          store.add(k.burst, -1, burst.window),
          store.add(k.minute, -1, minute.window),
          d ? store.add(k.day, -1, dayTtl(t)) : Promise.resolve(),
        ]);
      }
      const taken = refused ? 1 : 0;
      const dayCount = d ?? (await store.get(k.day)) ?? { value: 0, msBeforeReset: 0 };
      const dayTaken = d ? taken : 0;
      const state = (policy: Policy, count: Count, given: number, reset: number): PolicyState => ({
        policy,
        remaining: Math.max(0, policy.quota - (count.value - given)),
        reset,
      });
      lastDay.set(consumer.id, { day: utcDay(t), value: dayCount.value - dayTaken });
      const states = [
        state(burst, b, taken, Math.max(1, Math.ceil(b.msBeforeReset / 1000))),
        state(minute, m, taken, Math.max(1, Math.ceil(m.msBeforeReset / 1000))),
        state(day, dayCount, dayTaken, secondsToUtcMidnight(t)),
      ];
      if (!refused) return { admitted: true, states };
      const refusedBy = states.find((s) => s.policy === refused)!;
      refusedBy.remaining = 0;
      return { admitted: false, states, refusedBy };
    },

    /** Requests admitted today (UTC) for the consumer: the counter the daily quota enforces. */
    async usedToday(consumerId: string, now: Date): Promise<number> {
      const day = utcDay(now);
      const seen = lastDay.get(consumerId);
      if (seen?.day === day) return seen.value;
      return (await store.get(`d:${consumerId}:${day}`))?.value ?? 0;
    },
  };
}
export type TrafficLimiter = ReturnType<typeof createTrafficLimiter>;
