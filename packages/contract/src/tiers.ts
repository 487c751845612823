import { z } from 'zod';

export const TierSchema = z.enum(['free', 'pro', 'enterprise']);
export type Tier = z.infer<typeof TierSchema>;

/** Limits a tier supplies when a consumer does not set its own. */
export const TIER_DEFAULTS: Record<Tier, { rate_limit_per_minute: number; quota_per_day: number }> = {
  free: { rate_limit_per_minute: 60, quota_per_day: 10_000 },
  pro: { rate_limit_per_minute: 600, quota_per_day: 200_000 },
  enterprise: { rate_limit_per_minute: 6_000, quota_per_day: 5_000_000 },
};
