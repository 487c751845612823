-- Up Migration
-- The request log at volume. Every /api/v2 request lands here (written in batches, off
-- the request path), so the table grows with traffic. Plan for large volumes:
--   * api_request_log is range-partitioned by requested_at, one partition per UTC day,
--     so time-bounded usage queries touch only the days they ask for (partition
--     pruning) and old data leaves by DROP TABLE of a whole partition, not by DELETE.
--   * ihf_request_log_maintain(retention_days, days_ahead) creates the partitions for
--     the coming days and drops those past retention. The server calls it at boot and
--     every hour (REQUEST_LOG_RETENTION_DAYS, default 90); running it from several
--     replicas at once is safe (it takes an advisory lock).
--   * a DEFAULT partition catches rows whose day has no partition yet (a clock far
--     ahead, a missed maintenance run), so an insert never fails for want of one; the
--     maintenance function moves such rows into their day's partition when it creates it.
--   * usage reads go through (api_consumer_id, requested_at) — the baseline's index, kept —
--     and (requested_at) for operator-wide reads.
-- The baseline's columns are kept as they were; added: api_key_id, request_id. `endpoint`
-- holds the route template (/api/v2/annotations/:id), never the raw path with ids, so
-- usage groups by route. The primary key becomes (id, requested_at) because a
-- partitioned table's unique constraints must include the partition key.

ALTER TABLE api_request_log RENAME TO api_request_log_unpartitioned;
ALTER INDEX api_request_log_consumer_time_idx RENAME TO api_request_log_unpartitioned_consumer_time_idx;
ALTER TABLE api_request_log_unpartitioned RENAME CONSTRAINT api_request_log_pkey TO api_request_log_unpartitioned_pkey;

CREATE TABLE api_request_log (
  id UUID DEFAULT uuid_generate_v4() NOT NULL,
  api_consumer_id UUID REFERENCES api_consumers(id),
  api_key_id UUID,
  endpoint TEXT NOT NULL,
  method TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  latency_ms INTEGER,
  request_id TEXT,
  requested_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL,
  PRIMARY KEY (id, requested_at)
) PARTITION BY RANGE (requested_at);
CREATE INDEX api_request_log_consumer_time_idx ON api_request_log (api_consumer_id, requested_at DESC);
CREATE INDEX api_request_log_time_idx ON api_request_log (requested_at DESC);
CREATE INDEX api_request_log_key_time_idx ON api_request_log (api_key_id, requested_at DESC);
CREATE TABLE api_request_log_default PARTITION OF api_request_log DEFAULT;

-- Creates the day partitions from (today - days_back) to (today + days_ahead) and drops
-- the ones that ended more than retention_days ago. Returns how many it dropped.
CREATE OR REPLACE FUNCTION ihf_request_log_maintain(retention_days INTEGER, days_ahead INTEGER DEFAULT 7, days_back INTEGER DEFAULT 0)
RETURNS INTEGER LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
  today DATE := (now() AT TIME ZONE 'UTC')::date;
  d DATE;
  part TEXT;
  lo TIMESTAMPTZ;
  hi TIMESTAMPTZ;
  dropped INTEGER := 0;
  r RECORD;
BEGIN
  -- One maintainer at a time across replicas; held until the transaction ends.
  PERFORM pg_advisory_xact_lock(hashtext('ihf_request_log_maintain'));
  FOR i IN -days_back..days_ahead LOOP
    d := today + i;
    part := 'api_request_log_' || to_char(d, 'YYYYMMDD');
    IF to_regclass(part) IS NULL THEN
      lo := d::timestamp AT TIME ZONE 'UTC';
      hi := (d + 1)::timestamp AT TIME ZONE 'UTC';
      -- Rows already in DEFAULT for this day would block the new partition: move them.
      CREATE TEMP TABLE IF NOT EXISTS ihf_request_log_moving (LIKE api_request_log) ON COMMIT DROP;
      WITH moved AS (
        DELETE FROM api_request_log_default WHERE requested_at >= lo AND requested_at < hi RETURNING *
      ) INSERT INTO ihf_request_log_moving SELECT * FROM moved;
      EXECUTE format('CREATE TABLE %I PARTITION OF api_request_log FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      INSERT INTO api_request_log SELECT * FROM ihf_request_log_moving;
      TRUNCATE ihf_request_log_moving;
    END IF;
  END LOOP;
  FOR r IN
    SELECT c.relname AS name
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'api_request_log' AND c.relname ~ '^api_request_log_[0-9]{8}$'
  LOOP
    IF to_date(substring(r.name FROM '[0-9]{8}$'), 'YYYYMMDD') + 1 <= today - retention_days THEN
      EXECUTE format('DROP TABLE %I', r.name);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  -- Rows in DEFAULT older than retention go too.
  DELETE FROM api_request_log_default WHERE requested_at < (today - retention_days)::timestamp AT TIME ZONE 'UTC';
  RETURN dropped;
END;
$$;

SELECT ihf_request_log_maintain(90, 7, 0);

INSERT INTO api_request_log (id, api_consumer_id, endpoint, method, status_code, latency_ms, requested_at)
  SELECT id, api_consumer_id, endpoint, method, status_code, latency_ms, requested_at FROM api_request_log_unpartitioned;
DROP TABLE api_request_log_unpartitioned;

-- Down Migration
CREATE TABLE api_request_log_unpartitioned (
  id UUID DEFAULT uuid_generate_v4() PRIMARY KEY NOT NULL,
  api_consumer_id UUID REFERENCES api_consumers(id),
  endpoint TEXT NOT NULL,
  method TEXT NOT NULL,
  status_code INTEGER NOT NULL,
  latency_ms INTEGER,
  requested_at TIMESTAMP WITH TIME ZONE DEFAULT NOW() NOT NULL
);
INSERT INTO api_request_log_unpartitioned (id, api_consumer_id, endpoint, method, status_code, latency_ms, requested_at)
  SELECT DISTINCT ON (id) id, api_consumer_id, endpoint, method, status_code, latency_ms, requested_at FROM api_request_log;
DROP TABLE api_request_log;
DROP FUNCTION ihf_request_log_maintain(INTEGER, INTEGER, INTEGER);
ALTER TABLE api_request_log_unpartitioned RENAME TO api_request_log;
ALTER TABLE api_request_log RENAME CONSTRAINT api_request_log_unpartitioned_pkey TO api_request_log_pkey;
CREATE INDEX api_request_log_consumer_time_idx ON api_request_log (api_consumer_id, requested_at DESC);
