import type { Sql, TransactionSql } from '../db/client.js';
import type { ClaimedContext, SigningContext } from '../db/repositories/deliveries.js';

/**
 * The delivery engine's hot path: the two statements every attempt goes through, each
 * serving a whole batch of concurrent attempts in one round trip.
 *
 * Both take their input as parallel arrays (`unnest`, `= ANY`), never as a JSON record
 * set: PostgreSQL estimates 100 rows for `jsonb_to_recordset`, which made the old
 * statements hash-join against a sequential scan of all of webhook_messages on every
 * batch (cost growing with the table); arrays keep them on the primary keys.
 */
export interface DeliveredAttempt {
  messageId: string;
  subscriptionId: string;
  attempt: number;
  responseCode: number;
  responseBody: string | null;
  latencyMs: number;
}

export function createDeliveryStore(sql: Sql) {
  return {
    /**
     * Reads what each attempt needs and claims it, for many jobs in one round trip.
     * Claiming attempt n moves `attempts` from n-1 to n (only one job can), or takes over
     * a claim whose attempt was never logged (its worker died) once the lease has passed.
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
            m.logged_attempts >= r.attempt AS attempt_logged,
            e.event_type, e.body,
            s.id AS subscription_id, s.xmin::text AS subscription_version,
            EXISTS (SELECT 1 FROM webhook_recipients w WHERE w.id = s.id) AS deliverable
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
      const byKey = new Map(rows.map((row) => [`${row.message_id}\n${row.requested_attempt}`, row]));
      // Two jobs of one attempt in one batch both read as claimed: only the first may send.
      // Only a claim counts, so a stale job of an earlier attempt cannot take the place of
      // the one the database claimed (which would then be skipped, its message stuck).
      const sending = new Set<string>();
      const answered = new Set<ClaimedContext>();
      return requests.map((r) => {
        let row = byKey.get(`${r.messageId}\n${r.attempt}`);
        if (!row) return undefined;
        if (answered.has(row)) row = { ...row }; // a second job of the same attempt gets its own answer
        answered.add(row);
        row.claimed &&= !sending.has(r.messageId);
        if (row.claimed) sending.add(r.messageId);
        return row;
      });
    },

    /** The current signing context of each subscription (any state: the claim decided whether to send). */
    async signingContexts(ids: readonly string[]): Promise<SigningContext[]> {
      return sql<SigningContext[]>`
        SELECT id AS subscription_id, xmin::text AS version, target_url, secret, previous_secret, previous_secret_expires_at, older_secrets
        FROM webhook_subscriptions WHERE id = ANY(${ids as string[]}::uuid[])`;
    },

    /**
     * Gives up claims never sent (a stopping worker hands their attempts back): each
     * message goes back to the attempt before, as if the claim had not been made, so the
     * next job of the attempt claims it at once instead of after the lease. Only claims
     * still within their lease: past it, another worker may have taken the attempt over
     * (and be sending it); such a claim is left for the next job to take over or defer.
     */
    async releaseClaims(
      db: Sql | TransactionSql,
      claims: readonly { messageId: string; attempt: number }[],
      leaseSeconds: number,
    ): Promise<void> {
      await db`
        UPDATE webhook_messages m SET attempts = x.attempt - 1
        FROM unnest(${claims.map((c) => c.messageId)}::text[], ${claims.map((c) => c.attempt)}::int[]) AS x(message_id, attempt)
        WHERE m.id = x.message_id AND m.attempts = x.attempt AND m.logged_attempts < x.attempt
          AND m.last_attempt_at >= now() - make_interval(secs => ${leaseSeconds})`;
    },

    /**
     * Delivered attempts, many in one statement (one transaction): the log rows, the
     * messages' state and the subscriptions' health. The logged payload is the event's
     * stored body, read here rather than sent back from the worker.
     */
    async recordSuccesses(attempts: readonly DeliveredAttempt[]): Promise<void> {
      const ids = attempts.map((a) => a.messageId);
      const subscriptions = [...new Set(attempts.map((a) => a.subscriptionId))];
      await sql`
        WITH input AS (
          SELECT * FROM unnest(
            ${ids}::text[], ${attempts.map((a) => a.attempt)}::int[], ${attempts.map((a) => a.responseCode)}::int[],
            ${attempts.map((a) => a.latencyMs)}::int[], ${attempts.map((a) => a.responseBody)}::text[]
          ) AS x(message_id, attempt, response_code, latency_ms, response_body)
        ), logged AS (
          INSERT INTO webhook_deliveries
            (webhook_subscription_id, payload, status, response_code, latency_ms, error_message,
             webhook_message_id, attempt, event_type, response_body)
          SELECT m.webhook_subscription_id, e.body::jsonb, 'delivered', x.response_code, x.latency_ms, NULL,
            x.message_id, x.attempt, e.event_type, x.response_body
          FROM input x
          JOIN webhook_messages m ON m.id = x.message_id
          JOIN webhook_events e ON e.id = m.webhook_event_id
          -- An attempt already logged (a duplicate job sent it too) must not fail the whole
          -- batch, whose other attempts would then be sent again after their lease.
          ON CONFLICT (webhook_message_id, attempt) DO NOTHING
          RETURNING 1
        ), message AS (
          UPDATE webhook_messages m SET state = 'delivered', next_attempt_at = NULL, logged_attempts = GREATEST(m.logged_attempts, x.attempt)
          FROM input x WHERE m.id = x.message_id RETURNING 1
        ), healthy AS (
          UPDATE webhook_subscriptions s SET consecutive_failures = 0
          WHERE s.id = ANY(${subscriptions}::uuid[]) AND s.consecutive_failures > 0 RETURNING 1
        )
        SELECT (SELECT count(*) FROM logged) + (SELECT count(*) FROM message) + (SELECT count(*) FROM healthy) AS n`;
    },
  };
}
export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
