-- Up Migration
-- OAuth tokens know the static key they were minted from, keys record their
-- rotation, and every change that can narrow or end a credential's validity is
-- broadcast with NOTIFY so each replica's authentication cache drops it at once.

-- An OAuth access token's parent is the static key (client secret) that minted it;
-- revoking the parent revokes its tokens (services/keys.ts) and deleting it deletes them.
ALTER TABLE api_keys
  ADD COLUMN parent_key_id UUID REFERENCES api_keys(id) ON DELETE CASCADE,
  ADD COLUMN replaced_by_key_id UUID REFERENCES api_keys(id) ON DELETE SET NULL,
  ADD CONSTRAINT api_keys_oauth_has_parent CHECK ((token_type = 'oauth') = (parent_key_id IS NOT NULL));
CREATE INDEX api_keys_parent_idx ON api_keys (parent_key_id) WHERE parent_key_id IS NOT NULL;

-- Review bookkeeping for quarantined annotations (requirement candidates already have
-- reviewed_at / review_note).
ALTER TABLE annotations
  ADD COLUMN reviewed_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN review_note TEXT;
CREATE INDEX annotations_quarantined_idx ON annotations (created_at DESC, id DESC) WHERE status = 'quarantined';
CREATE INDEX auto_approve_rules_created_idx ON auto_approve_rules (created_at DESC, id DESC);

-- Cache invalidation. Triggers rather than application calls, so every write path
-- (services, ad-hoc SQL, other modules) invalidates. NOTIFY is transactional: it is
-- delivered at commit, never for a rolled-back change. Payloads: key:<prefix>,
-- consumer:<id>, manifest:<id>.
CREATE OR REPLACE FUNCTION ihf_auth_notify_key() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ihf_auth_invalidate', 'key:' || OLD.key_prefix);
  RETURN NULL;
END;
$$;
-- Only columns that change what authentication decides; last_used_at and billing
-- counters are written often and must not flush caches.
CREATE TRIGGER api_keys_auth_invalidate_update AFTER UPDATE ON api_keys
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'last_used_at' - 'billing_period_start' - 'billing_period_requests')
        IS DISTINCT FROM (to_jsonb(NEW) - 'last_used_at' - 'billing_period_start' - 'billing_period_requests'))
  EXECUTE FUNCTION ihf_auth_notify_key();
CREATE TRIGGER api_keys_auth_invalidate_delete AFTER DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION ihf_auth_notify_key();

CREATE OR REPLACE FUNCTION ihf_auth_notify_consumer() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ihf_auth_invalidate', 'consumer:' || OLD.id);
  RETURN NULL;
END;
$$;
-- quota_resets_at / updated_at move with routine bookkeeping and change no decision.
CREATE TRIGGER api_consumers_auth_invalidate_update AFTER UPDATE ON api_consumers
  FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'updated_at' - 'quota_resets_at') IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at' - 'quota_resets_at'))
  EXECUTE FUNCTION ihf_auth_notify_consumer();
CREATE TRIGGER api_consumers_auth_invalidate_delete AFTER DELETE ON api_consumers
  FOR EACH ROW EXECUTE FUNCTION ihf_auth_notify_consumer();

CREATE OR REPLACE FUNCTION ihf_auth_notify_manifest() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ihf_auth_invalidate', 'manifest:' || OLD.id);
  RETURN NULL;
END;
$$;
CREATE TRIGGER hub_capability_manifests_auth_invalidate AFTER UPDATE OR DELETE ON hub_capability_manifests
  FOR EACH ROW EXECUTE FUNCTION ihf_auth_notify_manifest();

-- Down Migration
DROP TRIGGER hub_capability_manifests_auth_invalidate ON hub_capability_manifests;
DROP FUNCTION ihf_auth_notify_manifest();
DROP TRIGGER api_consumers_auth_invalidate_delete ON api_consumers;
DROP TRIGGER api_consumers_auth_invalidate_update ON api_consumers;
DROP FUNCTION ihf_auth_notify_consumer();
DROP TRIGGER api_keys_auth_invalidate_delete ON api_keys;
DROP TRIGGER api_keys_auth_invalidate_update ON api_keys;
DROP FUNCTION ihf_auth_notify_key();
DROP INDEX auto_approve_rules_created_idx;
DROP INDEX annotations_quarantined_idx;
ALTER TABLE annotations DROP COLUMN review_note, DROP COLUMN reviewed_at;
DROP INDEX api_keys_parent_idx;
ALTER TABLE api_keys
  DROP CONSTRAINT api_keys_oauth_has_parent,
  DROP COLUMN replaced_by_key_id,
  DROP COLUMN parent_key_id;
