-- Up Migration
-- Portal credentials: the short-lived credential a consumer-portal link carries. They are
-- api_keys rows like static keys and OAuth tokens (prefix + SHA-256 hash, scopes, expiry,
-- revocation), so authentication, its cache and its NOTIFY triggers (migration 0005)
-- treat them alike. One minted by a consumer's own credential records it as its parent
-- and dies with it; one minted by an operator has none. OAuth tokens still always have a
-- parent and static keys never.
ALTER TABLE api_keys
  DROP CONSTRAINT api_keys_token_type_check,
  ADD CONSTRAINT api_keys_token_type_check CHECK (token_type IN ('static', 'oauth', 'portal')),
  DROP CONSTRAINT api_keys_oauth_has_parent,
  ADD CONSTRAINT api_keys_parent_by_type CHECK (
    CASE token_type WHEN 'oauth' THEN parent_key_id IS NOT NULL
                    WHEN 'static' THEN parent_key_id IS NULL
                    ELSE TRUE END);
-- Expired portal credentials are pruned per consumer when it mints the next one.
CREATE INDEX api_keys_portal_expiry_idx ON api_keys (api_consumer_id, expires_at) WHERE token_type = 'portal';

-- Down Migration
DROP INDEX api_keys_portal_expiry_idx;
DELETE FROM api_keys WHERE token_type = 'portal';
ALTER TABLE api_keys
  DROP CONSTRAINT api_keys_parent_by_type,
  ADD CONSTRAINT api_keys_oauth_has_parent CHECK ((token_type = 'oauth') = (parent_key_id IS NOT NULL)),
  DROP CONSTRAINT api_keys_token_type_check,
  ADD CONSTRAINT api_keys_token_type_check CHECK (token_type IN ('static', 'oauth'));
