import type { Sql, TransactionSql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';

type Db = Sql | TransactionSql;

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

/** What one delivery attempt needs: the message, its event body and its subscription. */
export interface MessageContext {
  message_id: string;
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  claimed_at: Date | null;
  attempt_logged: boolean;
  event_type: string;
  body: string;
  subscription_id: string;
  target_url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  deliverable: boolean;
  consecutive_failures: number;
}

export interface ClaimedContext extends MessageContext {
  requested_attempt: number;
  claimed: boolean;
}

export interface AttemptRecord {
  messageId: string;
  subscriptionId: string;
  attempt: number;
  eventType: string;
  body: string;
  status: 'delivered' | 'failed';
  responseCode: number | null;
  responseBody: string | null;
  latencyMs: number;
  error: string | null;
}

export function createDeliveriesRepository(sql: Sql) {
  return {
    async listForSubscription(subscriptionId: string, opts: { limit: number; cursor?: string; status?: string }) {
      // The delivery log orders by attempted_at; the cursor helper speaks created_at, so alias it.
      return sql<DeliveryRow[]>`
        SELECT * FROM (
          SELECT d.*, d.attempted_at AS created_at, d.attempted_at::text AS cursor_ts
          FROM webhook_deliveries d WHERE d.webhook_subscription_id = ${subscriptionId}
        ) d
        WHERE TRUE
          ${opts.status ? sql`AND status = ${opts.status}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC
        LIMIT ${opts.limit + 1}`;
    },

    async find(subscriptionId: string, deliveryId: string) {
      const [row] = await sql<DeliveryRow[]>`
        SELECT *, attempted_at::text AS cursor_ts FROM webhook_deliveries
        WHERE id = ${deliveryId} AND webhook_subscription_id = ${subscriptionId}`;
      return row;
    },

    /**
     * The hot path's read and claim, for many jobs in one round trip. Claiming attempt n
     * moves `attempts` from n-1 to n (only one job can), or takes over a claim whose
     * attempt was never logged (its worker died) once the lease has passed.
     */
    async claimMany(
      requests: readonly { messageId: string; attempt: number }[],
      leaseSeconds: number,
    ): Promise<(ClaimedContext | undefined)[]> {
      const rows = await sql<ClaimedContext[]>`
        WITH req AS (
          SELECT * FROM unnest(${requests.map((r) => r.messageId)}::text[], ${requests.map((r) => r.attempt)}::int[])
            AS r(message_id, attempt)
        ), ctx AS (
          SELECT r.attempt AS requested_attempt, m.id AS message_id, m.state, m.attempts, m.last_attempt_at AS claimed_at,
            EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_message_id = m.id AND d.attempt = r.attempt) AS attempt_logged,
            e.event_type, e.body,
            s.id AS subscription_id, s.target_url, s.secret, s.previous_secret, s.previous_secret_expires_at,
            (s.is_active AND s.disabled_at IS NULL AND s.deleted_at IS NULL) AS deliverable, s.consecutive_failures
          FROM req r
          JOIN webhook_messages m ON m.id = r.message_id
          JOIN webhook_events e ON e.id = m.webhook_event_id
          JOIN webhook_subscriptions s ON s.id = m.webhook_subscription_id
        ), claimed AS (
          UPDATE webhook_messages m SET attempts = ctx.requested_attempt, last_attempt_at = now()
          FROM ctx
          WHERE m.id = ctx.message_id AND ctx.deliverable AND NOT ctx.attempt_logged AND m.state = 'pending' AND (
            m.attempts = ctx.requested_attempt - 1
            OR (m.attempts = ctx.requested_attempt AND m.last_attempt_at < now() - make_interval(secs => ${leaseSeconds}))
          )
          RETURNING m.id, m.attempts
        )
        SELECT ctx.*, EXISTS (
          SELECT 1 FROM claimed c WHERE c.id = ctx.message_id AND c.attempts = ctx.requested_attempt
        ) AS claimed FROM ctx`;
      // Two jobs of one message in one batch: only the first may send.
      const seen = new Set<string>();
      return requests.map((r) => {
        const row = rows.find((x) => x.message_id === r.messageId && x.requested_attempt === r.attempt);
        if (!row) return undefined;
        const first = !seen.has(r.messageId);
        seen.add(r.messageId);
        return { ...row, claimed: row.claimed && first };
      });
    },

    /** Delivered attempts, many in one statement: log rows, message states, subscription health. */
    async recordSuccesses(attempts: readonly AttemptRecord[]): Promise<void> {
      const input = attempts.map((a) => ({
        message_id: a.messageId,
        subscription_id: a.subscriptionId,
        attempt: a.attempt,
        event_type: a.eventType,
        body: a.body,
        response_code: a.responseCode,
        latency_ms: a.latencyMs,
        response_body: a.responseBody,
      }));
      await sql`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(input)}::text::jsonb) AS x(
            message_id text, subscription_id uuid, attempt int, event_type text, body text,
            response_code int, latency_ms int, response_body text)
        ), logged AS (
          INSERT INTO webhook_deliveries
            (webhook_subscription_id, payload, status, response_code, latency_ms, error_message,
             webhook_message_id, attempt, event_type, response_body)
          SELECT subscription_id, body::jsonb, 'delivered', response_code, latency_ms, NULL,
            message_id, attempt, event_type, response_body
          FROM input
          RETURNING 1
        ), message AS (
          UPDATE webhook_messages m SET state = 'delivered', next_attempt_at = NULL
          FROM input WHERE m.id = input.message_id RETURNING 1
        ), healthy AS (
          UPDATE webhook_subscriptions s SET consecutive_failures = 0
          WHERE s.id IN (SELECT subscription_id FROM input) AND s.consecutive_failures > 0 RETURNING 1
        )
        SELECT (SELECT count(*) FROM logged) + (SELECT count(*) FROM message) + (SELECT count(*) FROM healthy) AS n`;
    },

    async cancel(db: Db, messageId: string) {
      await db`UPDATE webhook_messages SET state = 'cancelled' WHERE id = ${messageId} AND state = 'pending'`;
    },

    /** Appends the attempt to the log (append-only) and moves the message's state. */
    async recordAttempt(db: Db, a: AttemptRecord, messageState: 'pending' | 'delivered' | 'failed', nextAttemptAt: Date | null) {
      await db`
        INSERT INTO webhook_deliveries
          (webhook_subscription_id, payload, status, response_code, latency_ms, error_message,
           webhook_message_id, attempt, event_type, response_body)
        VALUES (${a.subscriptionId}, ${a.body}::text::jsonb, ${a.status}, ${a.responseCode}, ${a.latencyMs}, ${a.error},
          ${a.messageId}, ${a.attempt}, ${a.eventType}, ${a.responseBody})`;
      await db`
        UPDATE webhook_messages SET state = ${messageState}, next_attempt_at = ${nextAttemptAt}
        WHERE id = ${a.messageId}`;
    },

    async subscriptionSucceeded(db: Db, subscriptionId: string) {
      await db`UPDATE webhook_subscriptions SET consecutive_failures = 0 WHERE id = ${subscriptionId} AND consecutive_failures > 0`;
    },

    async subscriptionFailed(db: Db, subscriptionId: string): Promise<number> {
      const [row] = await db<{ consecutive_failures: number }[]>`
        UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
        WHERE id = ${subscriptionId} RETURNING consecutive_failures`;
      return row?.consecutive_failures ?? 0;
    },

    async disableSubscription(db: Db, subscriptionId: string, reason: string) {
      await db`
        UPDATE webhook_subscriptions SET disabled_at = now(), disabled_reason = ${reason}, updated_at = now()
        WHERE id = ${subscriptionId} AND disabled_at IS NULL`;
      await db`UPDATE webhook_messages SET state = 'cancelled' WHERE webhook_subscription_id = ${subscriptionId} AND state = 'pending'`;
    },

    /** Marks a message for one more attempt; returns the attempt number to queue. */
    async reopen(db: Db, messageId: string): Promise<number | undefined> {
      const [row] = await db<{ attempts: number }[]>`
        UPDATE webhook_messages SET state = 'pending', next_attempt_at = now()
        WHERE id = ${messageId} RETURNING attempts`;
      return row ? row.attempts + 1 : undefined;
    },
  };
}
export type DeliveriesRepository = ReturnType<typeof createDeliveriesRepository>;
