-- Up Migration
-- Idempotency keys, the webhook event/message outbox that the delivery engine drains,
-- and what the delivery log needs to tell attempts apart. webhook_deliveries stays
-- append-only with all of the baseline's columns; only columns are added.

-- Idempotency-Key records, per owner (a consumer id, or 'operator'). A row is
-- 'in_progress' while the first request runs (locked_until guards against a crashed
-- server holding a key forever) and 'completed' with the response to replay after.
CREATE TABLE idempotency_keys (
  owner TEXT NOT NULL,
  idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
  response_status INTEGER,
  response_body TEXT,
  response_content_type TEXT,
  locked_until TIMESTAMP WITH TIME ZONE NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (owner, idempotency_key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Subscriptions are soft-deleted: the append-only delivery log references them.
ALTER TABLE webhook_subscriptions ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX webhook_subs_fanout_idx ON webhook_subscriptions (event_type)
  WHERE is_active AND disabled_at IS NULL AND deleted_at IS NULL;
CREATE INDEX webhook_subs_consumer_created_idx ON webhook_subscriptions (api_consumer_id, created_at DESC, id DESC);

-- One row per event that had at least one subscriber: the exact body every attempt sends.
CREATE TABLE webhook_events (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  event_type TEXT NOT NULL,
  record_id UUID,
  body TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);

-- One row per (event, subscription): its id is the webhook-id of every attempt.
CREATE TABLE webhook_messages (
  id TEXT PRIMARY KEY NOT NULL,
  webhook_event_id UUID NOT NULL REFERENCES webhook_events(id),
  webhook_subscription_id UUID NOT NULL REFERENCES webhook_subscriptions(id),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMP WITH TIME ZONE,
  last_attempt_at TIMESTAMP WITH TIME ZONE,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  CONSTRAINT webhook_messages_event_sub_key UNIQUE (webhook_event_id, webhook_subscription_id)
);
CREATE INDEX webhook_messages_sub_idx ON webhook_messages (webhook_subscription_id, created_at DESC);

ALTER TABLE webhook_deliveries
  ADD COLUMN webhook_message_id TEXT REFERENCES webhook_messages(id),
  ADD COLUMN attempt INTEGER,
  ADD COLUMN event_type TEXT,
  ADD COLUMN response_body TEXT;
-- One log row per attempt number of a message: a job that runs twice after a crash
-- finds its attempt already recorded and does not send again.
CREATE UNIQUE INDEX webhook_deliveries_message_attempt_key ON webhook_deliveries (webhook_message_id, attempt);
CREATE INDEX webhook_deliveries_sub_page_idx ON webhook_deliveries (webhook_subscription_id, attempted_at DESC, id DESC);

-- Down Migration
DROP INDEX webhook_deliveries_sub_page_idx;
DROP INDEX webhook_deliveries_message_attempt_key;
ALTER TABLE webhook_deliveries
  DROP COLUMN response_body,
  DROP COLUMN event_type,
  DROP COLUMN attempt,
  DROP COLUMN webhook_message_id;
DROP TABLE webhook_messages;
DROP TABLE webhook_events;
DROP INDEX webhook_subs_consumer_created_idx;
DROP INDEX webhook_subs_fanout_idx;
ALTER TABLE webhook_subscriptions DROP COLUMN deleted_at;
DROP TABLE idempotency_keys;
