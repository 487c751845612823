import type { Sql } from '../../db/client.js';
import { afterCursor, type CursorRow } from '../../db/pagination.js';

/** A row of the delivery log (append-only): one attempt of one message. */
export interface DeliveryRow extends CursorRow {
  id: string;
  webhook_subscription_id: string;
  webhook_message_id: string | null;
  attempt: number | null;
  event_type: string | null;
  status: 'pending' | 'delivered' | 'failed';
  response_code: number | null;
  response_body: string | null;
  latency_ms: number | null;
  error_message: string | null;
  attempted_at: Date;
}

/** One subscription's attempts, newest first. */
export async function listDeliveries(sql: Sql, subscriptionId: string, q: { limit: number; cursor?: string; status?: string }) {
  // The log orders by attempted_at; the cursor helper speaks created_at, so alias it.
  return sql<DeliveryRow[]>`
    SELECT * FROM (
      SELECT d.*, d.attempted_at AS created_at, d.attempted_at::text AS cursor_ts
      FROM webhook_deliveries d WHERE d.webhook_subscription_id = ${subscriptionId}
    ) d
    WHERE TRUE
      ${q.status ? sql`AND status = ${q.status}` : sql``}
      ${afterCursor(sql, q.cursor)}
    ORDER BY created_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
}

/** Attempts across subscriptions, newest first (the operator's view of webhook health). */
export async function listAllDeliveries(
  sql: Sql,
  q: {
    limit: number;
    cursor?: string;
    from?: Date;
    to?: Date;
    consumerId?: string;
    subscriptionId?: string;
    status?: string;
    eventType?: string;
  },
) {
  return sql<(DeliveryRow & { api_consumer_id: string; target_url: string })[]>`
    SELECT d.*, d.attempted_at::text AS cursor_ts, s.api_consumer_id, s.target_url
    FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.webhook_subscription_id
    WHERE TRUE
      ${q.from ? sql`AND d.attempted_at >= ${q.from}` : sql``}
      ${q.to ? sql`AND d.attempted_at < ${q.to}` : sql``}
      ${q.consumerId ? sql`AND s.api_consumer_id = ${q.consumerId}` : sql``}
      ${q.subscriptionId ? sql`AND d.webhook_subscription_id = ${q.subscriptionId}` : sql``}
      ${q.status ? sql`AND d.status = ${q.status}` : sql``}
      ${q.eventType ? sql`AND d.event_type = ${q.eventType}` : sql``}
      ${afterCursor(sql, q.cursor, 'd', 'attempted_at')}
    ORDER BY d.attempted_at DESC, d.id DESC
    LIMIT ${q.limit + 1}`;
}

export async function findDelivery(sql: Sql, subscriptionId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
  const [row] = await sql<DeliveryRow[]>`
    SELECT *, attempted_at::text AS cursor_ts FROM webhook_deliveries
    WHERE id = ${deliveryId} AND webhook_subscription_id = ${subscriptionId}`;
  return row;
}
