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

const DAY_MS = 86_400_000;
// The last day's string, kept: formatting a date costs more than the rest of a limit check.
let lastDay = { number: Number.NaN, text: '' };

/** The UTC date a day counter belongs to, e.g. 2026-11-25. */
export function utcDay(now: Date): string {
  const number = Math.floor(now.getTime() / DAY_MS);
  if (number !== lastDay.number) lastDay = { number, text: now.toISOString().slice(0, 10) };
  return lastDay.text;
}

/** Seconds from `now` to the next UTC midnight, at least 1. */
export const secondsToUtcMidnight = (now: Date): number =>
  Math.max(1, Math.ceil((nextUtcMidnight(now).getTime() - now.getTime()) / 1000));
