-- Up Migration
-- Retention of the webhook tables (WEBHOOK_RETENTION_DAYS): webhook_events,
-- webhook_messages and webhook_deliveries are range-partitioned by day (UTC), so history
-- leaves by DROP TABLE of whole days, never by DELETE (webhook_deliveries stays
-- append-only). ihf_webhook_maintain() creates the coming days and drops the expired
-- ones; the housekeeping job of every role runs it hourly under an advisory lock.
--   * webhook_messages by created_at. A message id now carries its creation time
--     (msg_ + the hex of a UUIDv7 whose milliseconds are created_at), so the hot path,
--     which knows only the id (job payloads), still reaches a single partition:
--     ihf_message_created_from/until(id) bound created_at to that instant. Ids minted
--     before this migration (UUIDv4) carry no time: they bound nothing and are looked
--     for in every partition, correct but slower, until their days expire.
--   * webhook_events by created_at; a message keeps its event's (event_created_at) and its
--     reference (webhook_event_id, event_created_at) is checked set-wise by triggers, as
--     0009 does for the delivery log: a foreign key to a partitioned table would make
--     dropping a day of events check every message (DETACH joins the referencing table
--     under its lock), and costs the fan-out a trigger call per message.
--   * webhook_deliveries by message_created_at: its message's created_at (an attempt
--     without a message, from before 0003: its attempted_at), so a message's attempts
--     live in its day and leave with it, and the unique (message, attempt) that makes a
--     repeated job skip its logged attempt still holds (it includes the partition key).
--   * Unique keys include the partition key (PostgreSQL requires it): (id, created_at)
--     etc. The ids themselves are random, so they stay unique.
--   * A DEFAULT partition per table takes rows of a day with no partition yet (a
--     housekeeping stall longer than the days created ahead), so no insert ever fails.

-- An id's time: msg_[test_]<32 hex of a UUIDv7>; NULL for any other id (a UUIDv4 has 4
-- where a UUIDv7 has 7). On the hot path, twice per lookup: only the part decoded is checked
-- (a full-pattern match cost twice as much).
CREATE FUNCTION ihf_message_created_at(id TEXT) RETURNS TIMESTAMPTZ
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN right(id, 32) ~ '^[0-9a-f]{12}7'
  THEN to_timestamp(('x' || left(right(id, 32), 12))::bit(48)::bigint / 1000.0) END;
CREATE FUNCTION ihf_message_created_from(id TEXT) RETURNS TIMESTAMPTZ
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN coalesce(ihf_message_created_at(id), '-infinity');
CREATE FUNCTION ihf_message_created_until(id TEXT) RETURNS TIMESTAMPTZ
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURN coalesce(ihf_message_created_at(id), 'infinity');

-- A new message id for a message created at `at`: prefix + UUIDv7 hex (RFC 9562).
CREATE FUNCTION ihf_new_message_id(prefix TEXT, at TIMESTAMPTZ) RETURNS TEXT
LANGUAGE sql VOLATILE PARALLEL SAFE
RETURN prefix || (
  SELECT encode(set_byte(overlay(b PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
                         6, (get_byte(b, 6) & 15) | 112), 'hex')
  FROM (SELECT uuid_send(gen_random_uuid()) AS b) r);

ALTER TABLE webhook_deliveries RENAME TO webhook_deliveries_unpartitioned;
ALTER TABLE webhook_messages RENAME TO webhook_messages_unpartitioned;
ALTER TABLE webhook_events RENAME TO webhook_events_unpartitioned;
ALTER TABLE webhook_deliveries_unpartitioned RENAME CONSTRAINT webhook_deliveries_pkey TO webhook_deliveries_unpartitioned_pkey;
ALTER TABLE webhook_messages_unpartitioned RENAME CONSTRAINT webhook_messages_pkey TO webhook_messages_unpartitioned_pkey;
ALTER TABLE webhook_messages_unpartitioned RENAME CONSTRAINT webhook_messages_event_sub_key TO webhook_messages_unpartitioned_event_sub_key;
ALTER TABLE webhook_events_unpartitioned RENAME CONSTRAINT webhook_events_pkey TO webhook_events_unpartitioned_pkey;
ALTER INDEX webhook_messages_sub_idx RENAME TO webhook_messages_unpartitioned_sub_idx;
ALTER INDEX webhook_deliveries_sub_idx RENAME TO webhook_deliveries_unpartitioned_sub_idx;
ALTER INDEX webhook_deliveries_message_attempt_key RENAME TO webhook_deliveries_unpartitioned_message_attempt_key;
ALTER INDEX webhook_deliveries_attempted_idx RENAME TO webhook_deliveries_unpartitioned_attempted_idx;
ALTER INDEX webhook_deliveries_failed_idx RENAME TO webhook_deliveries_unpartitioned_failed_idx;

CREATE TABLE webhook_events (
  id UUID DEFAULT uuid_generate_v4() NOT NULL,
  event_type TEXT NOT NULL,
  record_id UUID,
  body TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  traceparent TEXT,
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE webhook_messages (
  id TEXT NOT NULL,
  webhook_event_id UUID NOT NULL,
  webhook_subscription_id UUID NOT NULL CONSTRAINT webhook_messages_webhook_subscription_id_fkey REFERENCES webhook_subscriptions(id),
  state TEXT NOT NULL DEFAULT 'pending' CONSTRAINT webhook_messages_state_check CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP WITH TIME ZONE,
  last_attempt_at TIMESTAMP WITH TIME ZONE,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  logged_attempts INTEGER NOT NULL DEFAULT 0,
  event_created_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (id, created_at),
  CONSTRAINT webhook_messages_event_sub_key UNIQUE (webhook_event_id, webhook_subscription_id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX webhook_messages_sub_idx ON webhook_messages (webhook_subscription_id, created_at DESC);
-- The previous version's fan-out does not set event_created_at: filled from the event, so
-- its API replicas keep creating records during a rolling upgrade (ours always set it).
CREATE FUNCTION webhook_messages_event_created_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  SELECT created_at INTO NEW.event_created_at FROM webhook_events WHERE id = NEW.webhook_event_id;
  RETURN NEW;
END $$;
CREATE TRIGGER webhook_messages_event_created_at BEFORE INSERT ON webhook_messages
  FOR EACH ROW WHEN (NEW.event_created_at IS NULL) EXECUTE FUNCTION webhook_messages_event_created_at();

-- A message's event exists: each distinct event locked and found once per statement, one
-- lookup each (LATERAL ... LIMIT 1), under the name the foreign key had. Re-keying a
-- message (never done) is checked row by row, so the hot path's updates pay nothing.
CREATE FUNCTION webhook_messages_check_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  missing TEXT;
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    PERFORM 1 FROM webhook_events e WHERE e.id = NEW.webhook_event_id AND e.created_at = NEW.event_created_at FOR KEY SHARE;
    missing := CASE WHEN NOT FOUND THEN NEW.webhook_event_id::text END;
  ELSE
    SELECT c.id::text INTO missing
      FROM (SELECT DISTINCT webhook_event_id AS id, event_created_at AS at FROM changed) c
      LEFT JOIN LATERAL (
        SELECT TRUE AS found FROM webhook_events e WHERE e.id = c.id AND e.created_at = c.at LIMIT 1 FOR KEY SHARE
      ) e ON TRUE
      WHERE e.found IS NULL
      LIMIT 1;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'insert or update on table "webhook_messages" violates foreign key constraint "webhook_messages_webhook_event_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_messages',
            CONSTRAINT = 'webhook_messages_webhook_event_id_fkey',
            DETAIL = format('Key (webhook_event_id)=(%s) is not present in table "webhook_events".', missing);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_messages_event_insert AFTER INSERT ON webhook_messages
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_messages_check_event();
CREATE TRIGGER webhook_messages_event_update AFTER UPDATE OF webhook_event_id, event_created_at ON webhook_messages
  FOR EACH ROW EXECUTE FUNCTION webhook_messages_check_event();

-- The other side: an event its messages refer to can be neither deleted nor re-keyed (its
-- day's partition is dropped only after its messages').
CREATE FUNCTION webhook_messages_guard_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM webhook_messages WHERE webhook_event_id = OLD.id AND event_created_at = OLD.created_at) THEN
    RAISE EXCEPTION 'update or delete on table "webhook_events" violates foreign key constraint "webhook_messages_webhook_event_id_fkey" on table "webhook_messages"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_messages',
            CONSTRAINT = 'webhook_messages_webhook_event_id_fkey',
            DETAIL = format('Key (id)=(%s) is still referenced from table "webhook_messages".', OLD.id);
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER webhook_events_messages_guard BEFORE DELETE OR UPDATE OF id, created_at ON webhook_events
  FOR EACH ROW EXECUTE FUNCTION webhook_messages_guard_event();

CREATE TABLE webhook_deliveries (
  id UUID DEFAULT uuid_generate_v4() NOT NULL,
  webhook_subscription_id UUID NOT NULL,
  payload JSONB NOT NULL,
  attempted_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  status TEXT NOT NULL CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed')),
  response_code INTEGER,
  latency_ms INTEGER,
  error_message TEXT,
  webhook_message_id TEXT,
  attempt INTEGER,
  event_type TEXT,
  response_body TEXT,
  message_created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  PRIMARY KEY (id, message_created_at)
) PARTITION BY RANGE (message_created_at);
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (webhook_subscription_id, attempted_at DESC);
CREATE UNIQUE INDEX webhook_deliveries_message_attempt_key ON webhook_deliveries (webhook_message_id, attempt, message_created_at);
CREATE INDEX webhook_deliveries_attempted_idx ON webhook_deliveries (attempted_at DESC, id DESC);
CREATE INDEX webhook_deliveries_failed_idx ON webhook_deliveries (attempted_at DESC, id DESC) WHERE status = 'failed';

-- Row triggers on a partitioned table are cloned onto every partition, present and future.
DROP TRIGGER webhook_deliveries_no_update ON webhook_deliveries_unpartitioned;
DROP TRIGGER webhook_deliveries_no_delete ON webhook_deliveries_unpartitioned;
DROP TRIGGER webhook_deliveries_references_insert ON webhook_deliveries_unpartitioned;
DROP TRIGGER webhook_deliveries_references_update ON webhook_deliveries_unpartitioned;
DROP TRIGGER webhook_messages_deliveries_guard ON webhook_messages_unpartitioned;
CREATE TRIGGER webhook_deliveries_no_update BEFORE UPDATE ON webhook_deliveries
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_no_update();
CREATE TRIGGER webhook_deliveries_no_delete BEFORE DELETE ON webhook_deliveries
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_no_delete();

-- The reference checks of 0009, now by (id, created_at): one partition per message.
CREATE OR REPLACE FUNCTION webhook_deliveries_check_references() RETURNS trigger
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

  -- Each message locked and found in one pass, a lookup per message (LATERAL ... LIMIT 1):
  -- joined, PostgreSQL would rather scan every partition than probe each.
  SELECT c.id INTO missing
    FROM (SELECT DISTINCT webhook_message_id AS id, message_created_at AS at FROM changed WHERE webhook_message_id IS NOT NULL) c
    LEFT JOIN LATERAL (
      SELECT TRUE AS found FROM webhook_messages m WHERE m.id = c.id AND m.created_at = c.at LIMIT 1 FOR KEY SHARE
    ) m ON TRUE
    WHERE m.found IS NULL
    LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert or update on table "webhook_deliveries" violates foreign key constraint "webhook_deliveries_webhook_message_id_fkey"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_deliveries',
            CONSTRAINT = 'webhook_deliveries_webhook_message_id_fkey',
            DETAIL = format('Key (webhook_message_id, message_created_at)=(%s) is not present in table "webhook_messages".', missing);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_deliveries_references_insert AFTER INSERT ON webhook_deliveries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_check_references();
CREATE TRIGGER webhook_deliveries_references_update AFTER UPDATE ON webhook_deliveries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_check_references();

CREATE OR REPLACE FUNCTION webhook_deliveries_guard_message() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (TG_OP = 'DELETE' OR NEW.id IS DISTINCT FROM OLD.id OR NEW.created_at IS DISTINCT FROM OLD.created_at)
     AND EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_message_id = OLD.id AND message_created_at = OLD.created_at) THEN
    RAISE EXCEPTION 'update or delete on table "webhook_messages" violates foreign key constraint "webhook_deliveries_webhook_message_id_fkey" on table "webhook_deliveries"'
      USING ERRCODE = 'foreign_key_violation', TABLE = 'webhook_deliveries',
            CONSTRAINT = 'webhook_deliveries_webhook_message_id_fkey',
            DETAIL = format('Key (id)=(%s) is still referenced from table "webhook_deliveries".', OLD.id);
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER webhook_messages_deliveries_guard BEFORE DELETE OR UPDATE OF id, created_at ON webhook_messages
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_guard_message();

CREATE TABLE webhook_events_default PARTITION OF webhook_events DEFAULT;
CREATE TABLE webhook_messages_default PARTITION OF webhook_messages DEFAULT WITH (fillfactor = 60);
CREATE TABLE webhook_deliveries_default PARTITION OF webhook_deliveries DEFAULT;

-- Creates the day partitions of the three tables from first_day to last_day (UTC) that
-- do not exist yet. A day whose rows already sit in a DEFAULT partition is left there
-- (moving delivery rows would delete them): a warning, and the next days go on.
CREATE FUNCTION ihf_webhook_create_partitions(first_day DATE, last_day DATE)
RETURNS INTEGER LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
  d DATE;
  t TEXT;
  part TEXT;
  created INTEGER := 0;
BEGIN
  d := first_day;
  WHILE d <= last_day LOOP
    FOREACH t IN ARRAY ARRAY['webhook_events', 'webhook_messages', 'webhook_deliveries'] LOOP
      part := t || '_' || to_char(d, 'YYYYMMDD');
      CONTINUE WHEN to_regclass(part) IS NOT NULL;
      BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)%s', part, t,
          d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC',
          CASE t WHEN 'webhook_messages' THEN ' WITH (fillfactor = 60)' ELSE '' END);
        created := created + 1;
      EXCEPTION WHEN check_violation THEN
        RAISE WARNING '% not created: %_default holds rows of that day', part, t;
      END;
    END LOOP;
    d := d + 1;
  END LOOP;
  RETURN created;
END $$;

-- Whether a queued job that can still run carries an attempt of a message created in
-- [lo, hi): a message id's time tells without a lookup, older ids are looked up.
CREATE FUNCTION ihf_webhook_day_has_jobs(lo TIMESTAMPTZ, hi TIMESTAMPTZ) RETURNS BOOLEAN
LANGUAGE plpgsql STABLE AS $$
BEGIN
  -- plpgsql: the queue's schema (graphile-worker's own migrations) comes after ours.
  RETURN EXISTS (
    SELECT 1
    FROM graphile_worker._private_jobs j
    JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    CROSS JOIN LATERAL (
      SELECT j.payload ->> 'm' AS id WHERE json_typeof(j.payload) = 'object'
      UNION ALL
      SELECT e ->> 'm' FROM json_array_elements(CASE json_typeof(j.payload) WHEN 'array' THEN j.payload ELSE '[]' END) e
    ) x
    CROSS JOIN LATERAL (SELECT ihf_message_created_at(x.id) AS at OFFSET 0) a  -- decoded once
    WHERE t.identifier IN ('webhook.deliver', 'webhook.deliver-batch') AND j.attempts < j.max_attempts
      AND CASE WHEN a.at IS NOT NULL THEN a.at >= lo AND a.at < hi
            ELSE EXISTS (SELECT 1 FROM webhook_messages m WHERE m.id = x.id AND m.created_at >= lo AND m.created_at < hi) END);
END $$;

-- Creates the partitions of today .. today + days_ahead, and drops each day that ended
-- more than keep_days ago (the longer of the retention and the retry horizon) unless a
-- job that can still run carries an attempt of one of its messages. The three tables'
-- parents are locked while a day is checked and dropped, so no attempt can be queued in
-- between; a lock not had within lock_timeout (5 s) fails the round, retried at the
-- next. Returns the days dropped.
CREATE FUNCTION ihf_webhook_maintain(keep_days INTEGER, days_ahead INTEGER DEFAULT 3, today DATE DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS INTEGER LANGUAGE plpgsql SET client_min_messages = warning SET lock_timeout = '5s' AS $$
DECLARE
  d DATE;
  ymd TEXT;
  dropped INTEGER := 0;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('ihf_webhook_maintain'));
  PERFORM ihf_webhook_create_partitions(today, today + days_ahead);
  FOR d IN
    SELECT DISTINCT to_date(substring(c.relname FROM '[0-9]{8}$'), 'YYYYMMDD') AS day
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname IN ('webhook_events', 'webhook_messages', 'webhook_deliveries')
      AND c.relname ~ '^webhook_(events|messages|deliveries)_[0-9]{8}$'
    ORDER BY 1
  LOOP
    EXIT WHEN d + 1 > today - keep_days;
    ymd := to_char(d, 'YYYYMMDD');
    LOCK TABLE webhook_events, webhook_messages, webhook_deliveries IN ACCESS EXCLUSIVE MODE;
    IF ihf_webhook_day_has_jobs(d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC') THEN
      RAISE WARNING 'webhook tables: day % kept past retention, an attempt of its messages is queued', d;
      CONTINUE;
    END IF;
    -- A message is created in its event's transaction (same now()), so in its event's day.
    EXECUTE format('DROP TABLE IF EXISTS %I, %I, %I', 'webhook_deliveries_' || ymd, 'webhook_messages_' || ymd, 'webhook_events_' || ymd);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END $$;

-- Existing rows: a partition for each day they cover, then copied in.
SELECT ihf_webhook_create_partitions(
  (least((SELECT min(created_at) FROM webhook_events_unpartitioned), (SELECT min(created_at) FROM webhook_messages_unpartitioned),
        (SELECT min(attempted_at) FROM webhook_deliveries_unpartitioned), now()) AT TIME ZONE 'UTC')::date,
  (now() AT TIME ZONE 'UTC')::date + 3);
INSERT INTO webhook_events (id, event_type, record_id, body, created_at, traceparent)
  SELECT id, event_type, record_id, body, created_at, traceparent FROM webhook_events_unpartitioned;
INSERT INTO webhook_messages (id, webhook_event_id, webhook_subscription_id, state, attempts, next_attempt_at, last_attempt_at,
    created_at, logged_attempts, event_created_at)
  SELECT m.id, m.webhook_event_id, m.webhook_subscription_id, m.state, m.attempts, m.next_attempt_at, m.last_attempt_at,
    m.created_at, m.logged_attempts, e.created_at
  FROM webhook_messages_unpartitioned m JOIN webhook_events_unpartitioned e ON e.id = m.webhook_event_id;
INSERT INTO webhook_deliveries (id, webhook_subscription_id, payload, attempted_at, status, response_code, latency_ms, error_message,
    webhook_message_id, attempt, event_type, response_body, message_created_at)
  SELECT d.id, d.webhook_subscription_id, d.payload, d.attempted_at, d.status, d.response_code, d.latency_ms, d.error_message,
    d.webhook_message_id, d.attempt, d.event_type, d.response_body, coalesce(m.created_at, d.attempted_at)
  FROM webhook_deliveries_unpartitioned d LEFT JOIN webhook_messages_unpartitioned m ON m.id = d.webhook_message_id;
DROP TABLE webhook_deliveries_unpartitioned;
DROP TABLE webhook_messages_unpartitioned;
DROP TABLE webhook_events_unpartitioned;
ANALYZE webhook_events, webhook_messages, webhook_deliveries;

-- Down Migration
CREATE TABLE webhook_events_unpartitioned (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  event_type TEXT NOT NULL,
  record_id UUID,
  body TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  traceparent TEXT
);
CREATE TABLE webhook_messages_unpartitioned (
  id TEXT PRIMARY KEY NOT NULL,
  webhook_event_id UUID NOT NULL REFERENCES webhook_events_unpartitioned(id),
  webhook_subscription_id UUID NOT NULL REFERENCES webhook_subscriptions(id),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP WITH TIME ZONE,
  last_attempt_at TIMESTAMP WITH TIME ZONE,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  logged_attempts INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT webhook_messages_unpartitioned_event_sub_key UNIQUE (webhook_event_id, webhook_subscription_id)
) WITH (fillfactor = 60);
CREATE TABLE webhook_deliveries_unpartitioned (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  webhook_subscription_id UUID NOT NULL,
  payload JSONB NOT NULL,
  attempted_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  response_code INTEGER,
  latency_ms INTEGER,
  error_message TEXT,
  webhook_message_id TEXT,
  attempt INTEGER,
  event_type TEXT,
  response_body TEXT
);
INSERT INTO webhook_events_unpartitioned SELECT id, event_type, record_id, body, created_at, traceparent FROM webhook_events;
INSERT INTO webhook_messages_unpartitioned
  SELECT id, webhook_event_id, webhook_subscription_id, state, attempts, next_attempt_at, last_attempt_at, created_at, logged_attempts
  FROM webhook_messages;
INSERT INTO webhook_deliveries_unpartitioned
  SELECT id, webhook_subscription_id, payload, attempted_at, status, response_code, latency_ms, error_message,
    webhook_message_id, attempt, event_type, response_body
  FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_messages;
DROP TABLE webhook_events;
DROP FUNCTION webhook_messages_event_created_at();
DROP FUNCTION webhook_messages_check_event();
DROP FUNCTION webhook_messages_guard_event();
DROP FUNCTION ihf_webhook_maintain(INTEGER, INTEGER, DATE);
DROP FUNCTION ihf_webhook_day_has_jobs(TIMESTAMPTZ, TIMESTAMPTZ);
DROP FUNCTION ihf_webhook_create_partitions(DATE, DATE);
DROP FUNCTION ihf_new_message_id(TEXT, TIMESTAMPTZ);
DROP FUNCTION ihf_message_created_until(TEXT);
DROP FUNCTION ihf_message_created_from(TEXT);
DROP FUNCTION ihf_message_created_at(TEXT);
ALTER TABLE webhook_deliveries_unpartitioned RENAME TO webhook_deliveries;
ALTER TABLE webhook_messages_unpartitioned RENAME TO webhook_messages;
ALTER TABLE webhook_events_unpartitioned RENAME TO webhook_events;
ALTER TABLE webhook_deliveries RENAME CONSTRAINT webhook_deliveries_unpartitioned_pkey TO webhook_deliveries_pkey;
ALTER TABLE webhook_deliveries RENAME CONSTRAINT webhook_deliveries_unpartitioned_status_check TO webhook_deliveries_status_check;
ALTER TABLE webhook_messages RENAME CONSTRAINT webhook_messages_unpartitioned_pkey TO webhook_messages_pkey;
ALTER TABLE webhook_messages RENAME CONSTRAINT webhook_messages_unpartitioned_event_sub_key TO webhook_messages_event_sub_key;
ALTER TABLE webhook_messages RENAME CONSTRAINT webhook_messages_unpartitioned_state_check TO webhook_messages_state_check;
ALTER TABLE webhook_messages RENAME CONSTRAINT webhook_messages_unpartitioned_webhook_event_id_fkey TO webhook_messages_webhook_event_id_fkey;
ALTER TABLE webhook_messages RENAME CONSTRAINT webhook_messages_unpartitioned_webhook_subscription_id_fkey TO webhook_messages_webhook_subscription_id_fkey;
ALTER TABLE webhook_events RENAME CONSTRAINT webhook_events_unpartitioned_pkey TO webhook_events_pkey;
CREATE INDEX webhook_messages_sub_idx ON webhook_messages (webhook_subscription_id, created_at DESC);
CREATE INDEX webhook_deliveries_sub_idx ON webhook_deliveries (webhook_subscription_id, attempted_at DESC);
CREATE UNIQUE INDEX webhook_deliveries_message_attempt_key ON webhook_deliveries (webhook_message_id, attempt);
CREATE INDEX webhook_deliveries_attempted_idx ON webhook_deliveries (attempted_at DESC, id DESC);
CREATE INDEX webhook_deliveries_failed_idx ON webhook_deliveries (attempted_at DESC, id DESC) WHERE status = 'failed';
CREATE TRIGGER webhook_deliveries_no_update BEFORE UPDATE ON webhook_deliveries
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_no_update();
CREATE TRIGGER webhook_deliveries_no_delete BEFORE DELETE ON webhook_deliveries
  FOR EACH ROW EXECUTE FUNCTION webhook_deliveries_no_delete();
CREATE OR REPLACE FUNCTION webhook_deliveries_check_references() RETURNS trigger
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
CREATE TRIGGER webhook_deliveries_references_insert AFTER INSERT ON webhook_deliveries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_check_references();
CREATE TRIGGER webhook_deliveries_references_update AFTER UPDATE ON webhook_deliveries
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION webhook_deliveries_check_references();
CREATE OR REPLACE FUNCTION webhook_deliveries_guard_message() RETURNS trigger
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
