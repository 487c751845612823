-- Up Migration
-- A second rotate-secret within the 24 h overlap of the first dropped the first
-- one's previous secret at once, though it was promised 24 h: a receiver still set up with
-- it failed every delivery. The secrets before the previous one are kept here, each with
-- the end of its overlap ([{ "secret": sealed, "expires_at": timestamptz }], oldest first);
-- the worker signs with every one not yet expired.
ALTER TABLE webhook_subscriptions ADD COLUMN older_secrets JSONB NOT NULL DEFAULT '[]'::jsonb
  CHECK (jsonb_typeof(older_secrets) = 'array');

-- Down Migration
ALTER TABLE webhook_subscriptions DROP COLUMN older_secrets;
