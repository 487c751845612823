import type { Config } from '../../config.js';
import type { ConsumerRow } from '../../db/repositories/consumers.js';
import { nextUtcMidnight } from '../../lib/time.js';

export type PolicyName = 'burst' | 'minute' | 'day';

export interface Policy {
  name: PolicyName;
  /** Requests admitted per window. */
  quota: number;
  /** Window length in seconds (the day's nominal 86400; it really ends at UTC midnight). */
  window: number;
}

/**
 * A consumer's three limits. `rate_limit_per_minute` and `quota_per_day` on the row are
 * the effective values (the tier's defaults unless an operator overrode them); the burst
 * threshold falls back to the server's BURST_THRESHOLD within BURST_WINDOW_SECONDS.
 */
export function policiesFor(
  consumer: Pick<ConsumerRow, 'rate_limit_per_minute' | 'quota_per_day' | 'burst_threshold'>,
  config: Pick<Config, 'BURST_THRESHOLD' | 'BURST_WINDOW_SECONDS'>,
): [Policy, Policy, Policy] {
  return [
    { name: 'burst', quota: consumer.burst_threshold ?? config.BURST_THRESHOLD, window: config.BURST_WINDOW_SECONDS },
    { name: 'minute', quota: consumer.rate_limit_per_minute, window: 60 },
    { name: 'day', quota: consumer.quota_per_day, window: 86_400 },
  ];
}

/** The UTC date a day counter belongs to, e.g. 2026-11-25. */
export const utcDay = (now: Date): string => now.toISOString().slice(0, 10);

/** Seconds from `now` to the next UTC midnight, at least 1. */
export const secondsToUtcMidnight = (now: Date): number =>
  Math.max(1, Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000));
