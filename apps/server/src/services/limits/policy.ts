import type { Config } from '../../config.js';
import { effectiveLimits, type LimitSource } from './effective.js';
import { nextUtcMidnight } from '../../lib/time.js';

export type PolicyName = 'burst' | 'minute' | 'day';

export interface Policy {
  name: PolicyName;
  /** Requests admitted per window. */
  quota: number;
  /** Window length in seconds (the day's nominal 86400; it really ends at UTC midnight). */
  window: number;
}

/** A consumer's three limits (its overrides, else its tier's), burst within BURST_WINDOW_SECONDS. */
export function policiesFor(
  consumer: LimitSource,
  config: Pick<Config, 'BURST_THRESHOLD' | 'BURST_WINDOW_SECONDS'>,
): [Policy, Policy, Policy] {
  const limits = effectiveLimits(consumer, config);
  return [
    { name: 'burst', quota: limits.burst_threshold, window: config.BURST_WINDOW_SECONDS },
    { name: 'minute', quota: limits.rate_limit_per_minute, window: 60 },
    { name: 'day', quota: limits.quota_per_day, window: 86_400 },
  ];
}

/** Seconds from `now` to the next UTC midnight, at least 1. */
export const secondsToUtcMidnight = (now: Date): number =>
  Math.max(1, Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000));
