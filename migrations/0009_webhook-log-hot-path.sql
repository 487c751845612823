-- Up Migration
-- What logging a delivery attempt costs PostgreSQL. Every attempt appends one
-- row to webhook_deliveries and updates its message; measured at 32-128 rows a
-- statement, the log cost 45-50 us a row, of which the two per-row foreign-key triggers
-- were about 10 us and the fourth index about 3 us.
--
-- 1. The attempt a message has logged last is kept on the message itself, so the claim
--    of the next attempt reads it there instead of probing the delivery log (one index
--    probe a claim less; a generic plan made while the log was still empty also
--    scanned the whole log for each claimed row until autovacuum re-analyzed it).
ALTER TABLE webhook_messages ADD COLUMN logged_attempts INTEGER NOT NULL DEFAULT 0;
UPDATE webhook_messages m SET logged_attempts = d.last
FROM (
  SELECT webhook_message_id, max(attempt) AS last FROM webhook_deliveries
  WHERE webhook_message_id IS NOT NULL GROUP BY webhook_message_id
) d
WHERE d.webhook_message_id = m.id;

-- 2. The delivery log's references are checked set-wise, as 0006 does for
--    interaction_events: a batch of logged attempts references one or a few
--    subscriptions and messages the same statement has just updated. One
--    statement-level trigger locks each distinct referenced row FOR KEY SHARE (as the
--    per-row check does) and fails with foreign_key_violation under the old constraint
--    names when one is missing; row triggers on the referenced tables keep the other
--    side (a referenced row can be neither deleted nor re-keyed).
ALTER TABLE webhook_deliveries
  DROP CONSTRAINT webhook_deliveries_webhook_subscription_id_fkey,
  DROP CONSTRAINT webhook_deliveries_webhook_message_id_fkey;

CREATE FUNCTION webhook_deliveries_check_references() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing TEXT;
BEGIN
  PERFORM 1 FROM webhook_subscriptions WHERE id IN (SELECT webhook_subscription_id FROM changed) FOR KEY SHARE;
  SELECT c.id::text INTO missing
    FROM (SELECT DISTINCT webhook_subscription_id AS id FROM changed) c
    WHERE NOT EXISTS (SELECT 1 FROM webhook_subscriptions s WHERE s.id = c.id)
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "webhook_deliveries" violates foreign key constraint "webhook_deliveries_webhook_subscription_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_deliveries',
            CONSTRAINT = 'webhook_deliveries_webhook_subscription_id_fkey',
            DETAIL = format('Key (webhook_subscription_id)=(%s) is not present in table "webhook_subscriptions".', missing);
  END IF;

  PERFORM 1 FROM webhook_messages WHERE id IN (SELECT webhook_message_id FROM changed) FOR KEY SHARE;
  SELECT c.id INTO missing
    FROM (SELECT DISTINCT webhook_message_id AS id FROM changed WHERE webhook_message_id IS NOT NULL) c
    WHERE NOT EXISTS (SELECT 1 FROM webhook_messages m WHERE m.id = c.id)
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "webhook_deliveries" violates foreign key constraint "webhook_deliveries_webhook_message_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_deliveries',
            CONSTRAINT = 'webhook_deliveries_webhook_message_id_fkey',
            DETAIL = format('Key (webhook_message_id)=(%s) is not present in table "webhook_messages".', missing);
  END IF;
  RETURN NULL;
END $$;

-- A trigger with transition tables takes one event, hence two (UPDATE is refused by the
-- append-only trigger first; this one keeps the check complete should that ever change).
CREATE TRIGGER webhook_deliveries_references_insert AFTER INSERT ON webhook_deliveries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_check_references();
CREATE TRIGGER webhook_deliveries_references_update AFTER UPDATE ON webhook_deliveries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_check_references();

CREATE FUNCTION webhook_deliveries_guard_subscription() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id)
     AND EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_subscription_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "webhook_subscriptions" violates foreign key constraint "webhook_deliveries_webhook_subscription_id_fkey" on table "webhook_deliveries"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_deliveries',
            CONSTRAINT = 'webhook_deliveries_webhook_subscription_id_fkey',
            DETAIL = format('Key (id)=(%s) is still referenced from table "webhook_deliveries".', OLD.id);
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER webhook_subscriptions_deliveries_guard BEFORE DELETE OR UPDATE OF id ON webhook_subscriptions
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_guard_subscription();

CREATE FUNCTION webhook_deliveries_guard_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id)
     AND EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_message_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "webhook_messages" violates foreign key constraint "webhook_deliveries_webhook_message_id_fkey" on table "webhook_deliveries"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_deliveries',
            CONSTRAINT = 'webhook_deliveries_webhook_message_id_fkey',
            DETAIL = format('Key (id)=(%s) is still referenced from table "webhook_deliveries".', OLD.id);
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER webhook_messages_deliveries_guard BEFORE DELETE OR UPDATE OF id ON webhook_messages
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_guard_message();

-- 3. A subscription's delivery log pages over the seed's (webhook_subscription_id,
--    attempted_at DESC) index; ties on attempted_at (one statement logs many attempts at
--    the same transaction time) are ordered by id in a small incremental sort. 0003's
--    wider copy of that index cost every logged attempt one more index insert.
DROP INDEX webhook_deliveries_sub_page_idx;

-- Down Migration
CREATE INDEX webhook_deliveries_sub_page_idx ON webhook_deliveries (webhook_subscription_id, attempted_at DESC, id DESC);
DROP TRIGGER webhook_messages_deliveries_guard ON webhook_messages;
DROP FUNCTION webhook_deliveries_guard_message();
DROP TRIGGER webhook_subscriptions_deliveries_guard ON webhook_subscriptions;
DROP FUNCTION webhook_deliveries_guard_subscription();
DROP TRIGGER webhook_deliveries_references_update ON webhook_deliveries;
DROP TRIGGER webhook_deliveries_references_insert ON webhook_deliveries;
DROP FUNCTION webhook_deliveries_check_references();
ALTER TABLE webhook_deliveries
  ADD CONSTRAINT webhook_deliveries_webhook_subscription_id_fkey FOREIGN KEY (webhook_subscription_id) REFERENCES webhook_subscriptions(id),
  ADD CONSTRAINT webhook_deliveries_webhook_message_id_fkey FOREIGN KEY (webhook_message_id) REFERENCES webhook_messages(id);
ALTER TABLE webhook_messages DROP COLUMN logged_attempts;
