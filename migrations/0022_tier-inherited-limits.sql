-- Up Migration
-- A consumer's limits: NULL means "the tier's default" (packages/contract/src/tiers.ts), a
-- value is an operator's override that survives a tier change. Before this, the row held
-- the effective value, so a tier change overwrote overrides. A stored value equal to its
-- tier's default cannot be told from an inherited one: it becomes inherited.
ALTER TABLE api_consumers
  ALTER COLUMN rate_limit_per_minute DROP NOT NULL,
  ALTER COLUMN rate_limit_per_minute DROP DEFAULT,
  ALTER COLUMN quota_per_day DROP NOT NULL,
  ALTER COLUMN quota_per_day DROP DEFAULT;

-- The tiers' defaults as of this migration (rate per minute, quota per day).
UPDATE api_consumers c SET
  rate_limit_per_minute = CASE WHEN c.rate_limit_per_minute = d.rate THEN NULL ELSE c.rate_limit_per_minute END,
  quota_per_day = CASE WHEN c.quota_per_day = d.quota THEN NULL ELSE c.quota_per_day END
FROM (VALUES ('free', 60, 10000), ('pro', 600, 200000), ('enterprise', 6000, 5000000)) AS d (tier, rate, quota)
WHERE d.tier = c.tier;

COMMENT ON COLUMN api_consumers.rate_limit_per_minute IS 'Override of the tier''s default; NULL inherits it';
COMMENT ON COLUMN api_consumers.quota_per_day IS 'Override of the tier''s default; NULL inherits it';
COMMENT ON COLUMN api_consumers.burst_threshold IS 'Override of the tier''s default; NULL inherits it (or BURST_THRESHOLD when set)';

-- Down Migration
UPDATE api_consumers c SET
  rate_limit_per_minute = COALESCE(c.rate_limit_per_minute, d.rate),
  quota_per_day = COALESCE(c.quota_per_day, d.quota)
FROM (VALUES ('free', 60, 10000), ('pro', 600, 200000), ('enterprise', 6000, 5000000)) AS d (tier, rate, quota)
WHERE d.tier = c.tier;
COMMENT ON COLUMN api_consumers.rate_limit_per_minute IS NULL;
COMMENT ON COLUMN api_consumers.quota_per_day IS NULL;
COMMENT ON COLUMN api_consumers.burst_threshold IS NULL;
ALTER TABLE api_consumers
  ALTER COLUMN rate_limit_per_minute SET DEFAULT 60,
  ALTER COLUMN rate_limit_per_minute SET NOT NULL,
  ALTER COLUMN quota_per_day SET DEFAULT 10000,
  ALTER COLUMN quota_per_day SET NOT NULL;
