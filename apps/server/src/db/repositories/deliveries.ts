import type { Sql, TransactionSql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';
import type { EarlierSecret } from './subscriptions.js';

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

/**
 * What one delivery attempt needs of its message and event. Its subscription's target and
 * secrets (SigningContext) are read apart, once per version of the subscription row, not
 * with every claimed message.
 */
export interface MessageContext {
  message_id: string;
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  claimed_at: Date | null;
  attempt_logged: boolean;
  event_type: string;
  body: string;
  subscription_id: string;
  /** The subscription row's version (its xmin): every update of the row, by any means, changes it. */
  subscription_version: string;
  deliverable: boolean;
}

/** Where and how a subscription's attempts are sent, as of one version of its row. */
export interface SigningContext {
  subscription_id: string;
  version: string;
  target_url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  older_secrets: EarlierSecret[];
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

export function createDeliveriesRepository(sql: Sql, opts: { leaseSeconds: number }) {
  // A claim not logged is an attempt possibly on the wire, until its lease has run out:
  // its worker then no longer sends it (it died, or deferred the attempt unsent). A message
  // is reopened after whichever is further, its claim or its log, so an attempt number is
  // never sent twice (the log may then skip the number of a claim that was never sent).
  const noAttemptInFlight = () =>
    sql`(attempts <= logged_attempts OR last_attempt_at < now() - make_interval(secs => ${opts.leaseSeconds}))`;
  const fromLastLogged = sql`attempts = GREATEST(attempts, logged_attempts)`;
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

    /** Attempts across subscriptions, newest first (the operator's view of webhook health). */
    async listAll(opts: {
      limit: number;
      cursor?: string;
      from?: Date;
      to?: Date;
      consumerId?: string;
      subscriptionId?: string;
      status?: string;
      eventType?: string;
    }) {
      return sql<(DeliveryRow & { api_consumer_id: string; target_url: string })[]>`
        SELECT d.*, d.attempted_at::text AS cursor_ts, s.api_consumer_id, s.target_url
        FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.webhook_subscription_id
        WHERE TRUE
          ${opts.from ? sql`AND d.attempted_at >= ${opts.from}` : sql``}
          ${opts.to ? sql`AND d.attempted_at < ${opts.to}` : sql``}
          ${opts.consumerId ? sql`AND s.api_consumer_id = ${opts.consumerId}` : sql``}
          ${opts.subscriptionId ? sql`AND d.webhook_subscription_id = ${opts.subscriptionId}` : sql``}
          ${opts.status ? sql`AND d.status = ${opts.status}` : sql``}
          ${opts.eventType ? sql`AND d.event_type = ${opts.eventType}` : sql``}
          ${afterCursor(sql, opts.cursor, 'd', 'attempted_at')}
        ORDER BY d.attempted_at DESC, d.id DESC
        LIMIT ${opts.limit + 1}`;
    },

    async find(subscriptionId: string, deliveryId: string) {
      const [row] = await sql<DeliveryRow[]>`
        SELECT *, attempted_at::text AS cursor_ts FROM webhook_deliveries
        WHERE id = ${deliveryId} AND webhook_subscription_id = ${subscriptionId}`;
      return row;
    },

    /**
     * A message whose subscription can no longer receive. Its claim, if any, is left as it
     * is: another job's attempt may still be on the wire (a duplicate job, or a disable
     * while it was out), and it stays in flight until logged or its lease runs out.
     */
    async cancel(db: Db, messageId: string) {
      await db`UPDATE webhook_messages SET state = 'cancelled' WHERE id = ${messageId} AND state = 'pending'`;
    },

    /**
     * Appends the attempt to the log (append-only) and moves the message's state. False
     * (and nothing changed) when the attempt was already logged: a duplicate job sent it
     * too, and the job that logged it first did the bookkeeping.
     */
    async recordAttempt(db: Db, a: AttemptRecord, messageState: 'pending' | 'delivered' | 'failed', nextAttemptAt: Date | null): Promise<boolean> {
      const logged = await db`
        INSERT INTO webhook_deliveries
          (webhook_subscription_id, payload, status, response_code, latency_ms, error_message,
           webhook_message_id, attempt, event_type, response_body)
        VALUES (${a.subscriptionId}, ${a.body}::text::jsonb, ${a.status}, ${a.responseCode}, ${a.latencyMs}, ${a.error},
          ${a.messageId}, ${a.attempt}, ${a.eventType}, ${a.responseBody})
        ON CONFLICT (webhook_message_id, attempt) DO NOTHING`;
      if (logged.count === 0) return false;
      await db`
        UPDATE webhook_messages SET state = ${messageState}, next_attempt_at = ${nextAttemptAt},
          logged_attempts = GREATEST(logged_attempts, ${a.attempt})
        WHERE id = ${a.messageId}`;
      return true;
    },

    async subscriptionFailed(db: Db, subscriptionId: string): Promise<number> {
      const [row] = await db<{ consecutive_failures: number }[]>`
        UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
        WHERE id = ${subscriptionId} RETURNING consecutive_failures`;
      return row?.consecutive_failures ?? 0;
    },

    /**
     * Its pending messages are cancelled one by one as their jobs come up (the claim finds
     * the subscription undeliverable), not here: cancelling them here locked the messages of
     * attempts still on the wire after the subscription row, the reverse of their own
     * logging's order, and concurrent failures deadlocked (an attempt sent, never logged).
     * A message waiting for a retry is then sent again if the owner re-enables in time.
     */
    async disableSubscription(db: Db, subscriptionId: string, reason: string) {
      await db`
        UPDATE webhook_subscriptions SET disabled_at = now(), disabled_reason = ${reason}, updated_at = now()
        WHERE id = ${subscriptionId} AND disabled_at IS NULL`;
    },

    /**
     * The messages of a subscription created since `since` that ended undelivered (their
     * schedule ran out, or they were cancelled while it could not receive), pending again;
     * the attempt each is to make next. One whose attempt is still in flight is left alone.
     */
    async reopenUndelivered(db: Db, subscriptionId: string, since: string) {
      return db<{ messageId: string; attempt: number }[]>`
        UPDATE webhook_messages SET state = 'pending', next_attempt_at = now(), ${fromLastLogged}
        WHERE webhook_subscription_id = ${subscriptionId} AND created_at >= ${since}::text::timestamptz
          AND state IN ('failed', 'cancelled') AND ${noAttemptInFlight()}
        RETURNING id AS "messageId", attempts + 1 AS attempt`;
    },

    /**
     * Marks a message for one more attempt, now; returns the attempt number to queue. A
     * message waiting for a retry gets it now instead (the attempt's job takes the place of
     * the retry's: both are keyed by the message). Refused (undefined) while an attempt is
     * claimed, not yet logged and within its lease: a second attempt sent beside it could
     * be logged first.
     */
    async reopen(db: Db, messageId: string): Promise<number | undefined> {
      const [row] = await db<{ attempts: number }[]>`
        UPDATE webhook_messages SET state = 'pending', next_attempt_at = now(), ${fromLastLogged}
        WHERE id = ${messageId} AND ${noAttemptInFlight()} RETURNING attempts`;
      return row ? row.attempts + 1 : undefined;
    },
  };
}
export type DeliveriesRepository = ReturnType<typeof createDeliveriesRepository>;
