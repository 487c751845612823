-- Up Migration
-- The W3C traceparent of the request that created an event, written only while tracing
-- is on (OTEL_EXPORTER_OTLP_ENDPOINT): each attempt's span links to that request's span.
ALTER TABLE webhook_events ADD COLUMN traceparent text;

-- Down Migration
ALTER TABLE webhook_events DROP COLUMN traceparent;
