-- Up Migration
-- Rows whose day had no partition when they were written (a housekeeping stall of more
-- than the 3 days created ahead, or rows written with an earlier time) sit in the
-- _default partitions, which no day's drop reaches. Housekeeping now deletes those past
-- the cutoff too, on the day rule's terms: never while a job that can still run carries
-- an attempt of one of them. The delivery log's default partition is detached for the
-- delete (its append-only triggers are clones, removed and restored with it), all under
-- the lock ihf_webhook_maintain takes. Returns the rows deleted.
CREATE FUNCTION ihf_webhook_expire_default(keep_days INTEGER, today DATE DEFAULT (now() AT TIME ZONE 'UTC')::date)
RETURNS INTEGER LANGUAGE plpgsql SET client_min_messages = warning SET lock_timeout = '5s' AS $$
DECLARE
  cutoff TIMESTAMPTZ := (today - keep_days)::timestamp AT TIME ZONE 'UTC';
  deleted INTEGER := 0;
  n INTEGER;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM webhook_events_default WHERE created_at < cutoff)
     AND NOT EXISTS (SELECT 1 FROM webhook_messages_default WHERE created_at < cutoff)
     AND NOT EXISTS (SELECT 1 FROM webhook_deliveries_default WHERE message_created_at < cutoff) THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext('ihf_webhook_maintain'));
  LOCK TABLE webhook_events, webhook_messages, webhook_deliveries IN ACCESS EXCLUSIVE MODE;
  IF ihf_webhook_day_has_jobs('-infinity', cutoff) THEN
    RAISE WARNING 'webhook tables: rows of the default partitions kept past retention, an attempt of their messages is queued';
    RETURN 0;
  END IF;
  ALTER TABLE webhook_deliveries DETACH PARTITION webhook_deliveries_default;
  DELETE FROM webhook_deliveries_default WHERE message_created_at < cutoff;
  GET DIAGNOSTICS n = ROW_COUNT;
  deleted := deleted + n;
  ALTER TABLE webhook_deliveries ATTACH PARTITION webhook_deliveries_default DEFAULT;
  DELETE FROM webhook_messages_default WHERE created_at < cutoff;
  GET DIAGNOSTICS n = ROW_COUNT;
  deleted := deleted + n;
  DELETE FROM webhook_events_default WHERE created_at < cutoff;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN deleted + n;
END $$;

-- Down Migration
DROP FUNCTION ihf_webhook_expire_default(INTEGER, DATE);
