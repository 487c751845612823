-- Up Migration
-- Who receives a webhook, decided in one place. A subscription receives events
-- only while it is live (active, not soft-disabled, not deleted), its consumer is active,
-- and, for a domain hub, its manifest still lists the topic. Subscribing checks the
-- manifest once; this view applies the same rule (and the consumer's state) again when
-- an event is fanned out and when each attempt is claimed, so deactivating a consumer or
-- narrowing a hub's manifest stops its webhooks, including those already queued.
CREATE VIEW webhook_recipients AS
  SELECT s.*
  FROM webhook_subscriptions s
  JOIN api_consumers c ON c.id = s.api_consumer_id
  LEFT JOIN hub_capability_manifests h ON h.id = c.hub_capability_manifest_id
  WHERE s.is_active AND s.disabled_at IS NULL AND s.deleted_at IS NULL
    AND c.is_active
    AND (c.hub_capability_manifest_id IS NULL OR s.event_type = ANY (h.event_types));

-- Down Migration
DROP VIEW webhook_recipients;
