-- Up Migration
-- The product's extensions of the baseline: tiers and burst
-- allowance on consumers, billing-period usage on keys, soft-disable and rotation state
-- on subscriptions, auto-approve rules, the interaction-type registry and the six
-- record tables behind the webhook topics.

-- Consumers: a tier supplies default limits; rate_limit_per_minute / quota_per_day hold
-- the effective values (tier default unless overridden). burst_threshold NULL = server default.
ALTER TABLE api_consumers
  ADD COLUMN tier TEXT NOT NULL DEFAULT 'free' CHECK (tier IN ('free', 'pro', 'enterprise')),
  ADD COLUMN burst_threshold INTEGER CHECK (burst_threshold > 0),
  ADD CONSTRAINT api_consumers_rate_limit_positive CHECK (rate_limit_per_minute > 0),
  ADD CONSTRAINT api_consumers_quota_positive CHECK (quota_per_day > 0);
CREATE INDEX api_consumers_created_idx ON api_consumers (created_at DESC, id DESC);

-- Keys: a label, and billing-period usage: requests counted in the current
-- calendar-month period, rolled over when a new period starts.
ALTER TABLE api_keys
  ADD COLUMN name TEXT,
  ADD COLUMN billing_period_start TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT date_trunc('month', NOW() AT TIME ZONE 'UTC'),
  ADD COLUMN billing_period_requests BIGINT NOT NULL DEFAULT 0;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_prefix_format CHECK (key_prefix ~ '^[0-9a-f]{8}$');
CREATE INDEX api_keys_consumer_created_idx ON api_keys (api_consumer_id, created_at DESC, id DESC);

-- Subscriptions: soft-disable after persistent failure, and secret rotation (the previous
-- secret keeps signing until previous_secret_expires_at).
ALTER TABLE webhook_subscriptions
  ADD COLUMN disabled_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN disabled_reason TEXT,
  ADD COLUMN consecutive_failures INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN previous_secret TEXT,
  ADD COLUMN previous_secret_expires_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN secret_rotated_at TIMESTAMP WITH TIME ZONE;

-- Auto-approve rules: per consumer and category.
CREATE TABLE auto_approve_rules (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id) ON DELETE CASCADE,
  category TEXT NOT NULL,
  is_active BOOLEAN NOT NULL DEFAULT TRUE,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  CONSTRAINT auto_approve_rules_consumer_category_key UNIQUE (api_consumer_id, category)
);

-- Interaction types (clicked, viewed, …); admins may add more.
CREATE TABLE event_type_registry (
  name TEXT PRIMARY KEY NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,63}$'),
  description TEXT,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
INSERT INTO event_type_registry (name, description) VALUES
  ('viewed', 'A subject was shown to an actor'),
  ('clicked', 'An actor clicked a subject'),
  ('submitted', 'An actor submitted a form or entry'),
  ('dismissed', 'An actor dismissed a subject'),
  ('errored', 'An interaction ended in an error');

-- The six record tables. Each row records the consumer that wrote it.
CREATE TABLE interaction_events (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id),
  event_type TEXT NOT NULL REFERENCES event_type_registry(name),
  subject_id TEXT NOT NULL CHECK (length(subject_id) BETWEEN 1 AND 256),
  actor_id TEXT NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 256),
  occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
  properties JSONB NOT NULL DEFAULT '{}'::jsonb
    CHECK (jsonb_typeof(properties) = 'object' AND octet_length(properties::text) <= 16384),
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
CREATE INDEX interaction_events_created_idx ON interaction_events (created_at DESC, id DESC);
CREATE INDEX interaction_events_type_created_idx ON interaction_events (event_type, created_at DESC);
CREATE INDEX interaction_events_subject_idx ON interaction_events (subject_id);

CREATE TABLE annotations (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id),
  interaction_event_id UUID REFERENCES interaction_events(id),
  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  labels TEXT[] NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'quarantined')),
  injection_score REAL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
CREATE INDEX annotations_created_idx ON annotations (created_at DESC, id DESC);
CREATE INDEX annotations_event_idx ON annotations (interaction_event_id);

CREATE TABLE requirement_candidates (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id),
  title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
  description TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL,
  source_annotation_ids UUID[] NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'pending_review'
    CHECK (status IN ('pending_review', 'approved', 'rejected', 'quarantined')),
  injection_score REAL,
  reviewed_at TIMESTAMP WITH TIME ZONE,
  review_note TEXT,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
CREATE INDEX requirement_candidates_created_idx ON requirement_candidates (created_at DESC, id DESC);
CREATE INDEX requirement_candidates_status_idx ON requirement_candidates (status, created_at DESC);

CREATE TABLE decision_records (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id),
  requirement_candidate_id UUID NOT NULL REFERENCES requirement_candidates(id),
  outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'deferred')),
  rationale TEXT NOT NULL DEFAULT '',
  decided_by TEXT NOT NULL,
  decided_at TIMESTAMP WITH TIME ZONE NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
CREATE INDEX decision_records_created_idx ON decision_records (created_at DESC, id DESC);
CREATE INDEX decision_records_candidate_idx ON decision_records (requirement_candidate_id);

CREATE TABLE deployment_records (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id),
  decision_record_id UUID NOT NULL REFERENCES decision_records(id),
  version TEXT NOT NULL,
  environment TEXT NOT NULL,
  deployed_at TIMESTAMP WITH TIME ZONE NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('in_progress', 'succeeded', 'failed', 'rolled_back')),
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
CREATE INDEX deployment_records_created_idx ON deployment_records (created_at DESC, id DESC);
CREATE INDEX deployment_records_decision_idx ON deployment_records (decision_record_id);

CREATE TABLE outcome_signals (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID NOT NULL REFERENCES api_consumers(id),
  deployment_record_id UUID NOT NULL REFERENCES deployment_records(id),
  metric TEXT NOT NULL,
  value DOUBLE PRECISION NOT NULL,
  unit TEXT,
  baseline DOUBLE PRECISION,
  observed_at TIMESTAMP WITH TIME ZONE NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
CREATE INDEX outcome_signals_created_idx ON outcome_signals (created_at DESC, id DESC);
CREATE INDEX outcome_signals_deployment_idx ON outcome_signals (deployment_record_id);

-- Down Migration
DROP TABLE outcome_signals;
DROP TABLE deployment_records;
DROP TABLE decision_records;
DROP TABLE requirement_candidates;
DROP TABLE annotations;
DROP TABLE interaction_events;
DROP TABLE event_type_registry;
DROP TABLE auto_approve_rules;
ALTER TABLE webhook_subscriptions
  DROP COLUMN secret_rotated_at,
  DROP COLUMN previous_secret_expires_at,
  DROP COLUMN previous_secret,
  DROP COLUMN consecutive_failures,
  DROP COLUMN disabled_reason,
  DROP COLUMN disabled_at;
DROP INDEX api_keys_consumer_created_idx;
ALTER TABLE api_keys
  DROP CONSTRAINT api_keys_prefix_format,
  DROP COLUMN billing_period_requests,
  DROP COLUMN billing_period_start,
  DROP COLUMN name;
DROP INDEX api_consumers_created_idx;
ALTER TABLE api_consumers
  DROP CONSTRAINT api_consumers_quota_positive,
  DROP CONSTRAINT api_consumers_rate_limit_positive,
  DROP COLUMN burst_threshold,
  DROP COLUMN tier;
