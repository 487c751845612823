import type { Me } from '@ihf/contract';
import type { Config } from '../config.js';
import { isoOrNull, nextUtcMidnight } from '../lib/time.js';
import { effectiveLimits } from './limits/effective.js';
import type { ConsumerAuth } from '../routes/auth-context.js';

/** How many requests a consumer has made today (UTC); the rate limiter owns the count. */
export interface QuotaUsage {
  usedToday(consumerId: string, now: Date): Promise<number>;
}

export function createMeService(deps: { config: Config; quota: QuotaUsage; now: () => Date }) {
  return {
    async describe({ consumer, key, scopes }: ConsumerAuth): Promise<Me> {
      const now = deps.now();
      const used = await deps.quota.usedToday(consumer.id, now);
      const limits = effectiveLimits(consumer, deps.config);
      return {
        consumer: {
          id: consumer.id,
          name: consumer.name,
          tier: consumer.tier,
          hub_capability_manifest_id: consumer.hub_capability_manifest_id,
        },
        credential: {
          id: key.id,
          key_prefix: key.key_prefix,
          token_type: key.token_type,
          expires_at: isoOrNull(key.expires_at),
        },
        scopes: [...scopes],
        limits: {
          rate_limit_per_minute: limits.rate_limit_per_minute,
          burst_threshold: limits.burst_threshold,
          burst_window_seconds: deps.config.BURST_WINDOW_SECONDS,
          quota_per_day: limits.quota_per_day,
        },
        quota: {
          used_today: used,
          remaining_today: Math.max(0, limits.quota_per_day - used),
          resets_at: nextUtcMidnight(now).toISOString(),
        },
      };
    },
  };
}
