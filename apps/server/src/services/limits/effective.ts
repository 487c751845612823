import { TIER_DEFAULTS, type ConsumerLimits } from '@ihf/contract';
import type { Config } from '../../config.js';
import type { ConsumerRow } from '../../db/repositories/consumers.js';

export type LimitSource = Pick<ConsumerRow, 'tier' | 'rate_limit_per_minute' | 'quota_per_day' | 'burst_threshold'>;

/**
 * The limits that apply to a consumer: its overrides (non-null columns), else its tier's
 * defaults. BURST_THRESHOLD, when the operator sets it, replaces every tier's burst default.
 */
export function effectiveLimits(row: LimitSource, config: Pick<Config, 'BURST_THRESHOLD'>): ConsumerLimits {
  const tier = TIER_DEFAULTS[row.tier];
  return {
    rate_limit_per_minute: row.rate_limit_per_minute ?? tier.rate_limit_per_minute,
    quota_per_day: row.quota_per_day ?? tier.quota_per_day,
    burst_threshold: row.burst_threshold ?? config.BURST_THRESHOLD ?? tier.burst_threshold,
  };
}
