-- Up Migration
-- The operator's delivery log across subscriptions (GET /admin/webhook-deliveries)
-- pages newest first over every attempt. One more index insert per logged attempt (about
-- 3 us here); failed attempts, the ones an operator looks for, get a small index of their
-- own so that finding them does not walk past every delivered one.
CREATE INDEX webhook_deliveries_attempted_idx ON webhook_deliveries (attempted_at DESC, id DESC);
CREATE INDEX webhook_deliveries_failed_idx ON webhook_deliveries (attempted_at DESC, id DESC) WHERE status = 'failed';

-- Down Migration
DROP INDEX webhook_deliveries_failed_idx;
DROP INDEX webhook_deliveries_attempted_idx;
