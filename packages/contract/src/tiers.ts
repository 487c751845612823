import { z } from 'zod';

export const TierSchema = z.enum(['free', 'pro', 'enterprise']);
export type Tier = z.infer<typeof TierSchema>;

export interface ConsumerLimits {
  rate_limit_per_minute: number;
  quota_per_day: number;
  /** Requests allowed within the server's burst window (BURST_WINDOW_SECONDS, 1 s by default). */
  burst_threshold: number;
}

/** Limits a tier supplies for every limit a consumer does not override. */
export const TIER_DEFAULTS: Record<Tier, ConsumerLimits> = {
  free: { rate_limit_per_minute: 60, quota_per_day: 10_000, burst_threshold: 50 },
  pro: { rate_limit_per_minute: 600, quota_per_day: 200_000, burst_threshold: 200 },
  enterprise: { rate_limit_per_minute: 6_000, quota_per_day: 5_000_000, burst_threshold: 1_000 },
};
