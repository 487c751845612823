import type { Config } from '../../config.js';
import type { ConsumerRow } from '../../db/repositories/consumers.js';
import { rateLimitPolicyHeader, type PolicyState } from './headers.js';
import { utcDay } from '../../lib/time.js';
import { policiesFor, secondsToUtcMidnight, type Policy } from './policy.js';
import type { Count, CounterAdd, CounterStore } from './store.js';

export interface Decision {
  admitted: boolean;
  /** Burst, minute and day, in that order, as the client should see them after this request. */
  states: PolicyState[];
  /** The RateLimit-Policy field value for these policies (the same on every response of a consumer). */
  policyHeader: string;
  /** The limit that refused the request. */
  refusedBy?: PolicyState;
}

type LimitedConsumer = Pick<ConsumerRow, 'id' | 'tier' | 'rate_limit_per_minute' | 'quota_per_day' | 'burst_threshold'>;

/** What a consumer's limits need on every request, worked out once per consumer row. */
interface Plan {
  tier: ConsumerRow['tier'];
  burstThreshold: number | null;
  perMinute: number | null;
  perDay: number | null;
  policies: [Policy, Policy, Policy];
  policyHeader: string;
  burstKey: string;
  minuteKey: string;
  dayKeyPrefix: string;
}

/**
 * Burst, minute and day counters, incremented together; a refused request gives its units
 * back, so counters hold admitted requests only (docs/traffic-control.md).
 */
export function createTrafficLimiter(deps: {
  store: CounterStore;
  config: Config;
  now: () => Date;
  /** Today's admitted requests from the request log, so a new day counter is not a fresh quota. */
  admittedToday?: (consumerId: string, now: Date) => Promise<number>;
}) {
  const { store } = deps;
  // The day count each consumer's latest check saw, so /me answers without another round trip.
  const lastDay = new Map<string, { day: string; value: number }>();

  // Consumer rows come from the auth cache and are replaced, not changed, when a consumer
  // is updated; the plan is still checked against the row's limits before use.
  const plans = new WeakMap<LimitedConsumer, Plan>();
  function planFor(consumer: LimitedConsumer): Plan {
    const known = plans.get(consumer);
    if (
      known &&
      known.tier === consumer.tier &&
      known.burstThreshold === consumer.burst_threshold &&
      known.perMinute === consumer.rate_limit_per_minute &&
      known.perDay === consumer.quota_per_day
    ) {
      return known;
    }
    const policies = policiesFor(consumer, deps.config);
    const plan: Plan = {
      tier: consumer.tier,
      burstThreshold: consumer.burst_threshold,
      perMinute: consumer.rate_limit_per_minute,
      perDay: consumer.quota_per_day,
      policies,
      policyHeader: rateLimitPolicyHeader(policies.map((policy) => ({ policy, remaining: 0, reset: 0 }))),
      burstKey: `b:${consumer.id}:${policies[0].window}`,
      minuteKey: `m:${consumer.id}`,
      dayKeyPrefix: `d:${consumer.id}:`,
    };
    plans.set(consumer, plan);
    return plan;
  }

  const state = (policy: Policy, count: Count, given: number, reset: number): PolicyState => ({
    policy,
    remaining: Math.max(0, policy.quota - (count.value - given)),
    reset,
  });
  const resetOf = (count: Count) => Math.max(1, Math.ceil(count.msBeforeReset / 1000));

  return {
    store,

    async check(consumer: LimitedConsumer): Promise<Decision> {
      const t = deps.now();
      const plan = planFor(consumer);
      const [burst, minute, day] = plan.policies;
      const today = utcDay(t);
      const kDay = plan.dayKeyPrefix + today;
      const toMidnight = secondsToUtcMidnight(t);
      // A little past midnight, so replicas whose clocks differ slightly still share the day's key.
      const dayTtl = toMidnight + 60;
      const counters = (by: number): CounterAdd[] => [
        { key: plan.burstKey, by, windowSeconds: burst.window },
        { key: plan.minuteKey, by, windowSeconds: minute.window },
        { key: kDay, by, windowSeconds: dayTtl },
      ];
      const [b, m, counted] = (await store.add(counters(1))) as [Count, Count, Count];
      let d = counted;
      if (d.value === 1 && deps.admittedToday) {
        const earlier = await deps.admittedToday(consumer.id, t);
        if (earlier > 0) [d] = (await store.add([{ key: kDay, by: earlier, windowSeconds: dayTtl }])) as [Count];
      }
      const refused: Policy | undefined =
        b.value > burst.quota ? burst : m.value > minute.quota ? minute : d.value > day.quota ? day : undefined;
      if (refused) await store.add(counters(-1));
      const taken = refused ? 1 : 0;
      lastDay.set(consumer.id, { day: today, value: d.value - taken });
      const states = [
        state(burst, b, taken, resetOf(b)),
        state(minute, m, taken, resetOf(m)),
        state(day, d, taken, toMidnight),
      ];
      if (!refused) return { admitted: true, states, policyHeader: plan.policyHeader };
      const refusedBy = states.find((s) => s.policy === refused)!;
      refusedBy.remaining = 0;
      return { admitted: false, states, policyHeader: plan.policyHeader, refusedBy };
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
