import type { Sql, TransactionSql } from '../../db/client.js';
import type { EarlierSecret } from '../../db/repositories/subscriptions.js';
import { createdSpan, messageNamedBy, withinSpan } from './message-lookup.js';

type Db = Sql | TransactionSql;

/**
 * What one attempt needs of its message and event, and whether this job claimed it. The
 * subscription's target and secrets (SigningContext) are read apart, once per version of
 * its row, not with every claimed message.
 */
export interface ClaimedContext {
  requested_attempt: number;
  claimed: boolean;
  message_id: string;
  state: 'pending' | 'delivered' | 'failed' | 'cancelled';
  attempts: number;
  claimed_at: Date | null;
  attempt_logged: boolean;
  event_type: string;
  body: string;
  /** The W3C traceparent of the request that created the event (tracing on), for the attempt's span link. */
  traceparent: string | null;
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

export interface AttemptKey {
  messageId: string;
  attempt: number;
}

/**
 * Reads what each attempt needs and claims it, for many jobs in one round trip.
 * Claiming attempt n moves `attempts` from n-1 to n (only one job can), or takes over a
 * claim whose attempt was never logged (its worker died) once the lease has passed.
 * Input goes in as parallel arrays (`unnest`), never as a JSON record set: PostgreSQL
 * estimates 100 rows for `jsonb_to_recordset` and would plan a scan of webhook_messages.
 * Messages and events are found by their partition key too (0023): the time a message id
 * carries, and the event's creation time kept on the message.
 */
export async function claimAttempts(db: Db, requests: readonly AttemptKey[], leaseSeconds: number): Promise<(ClaimedContext | undefined)[]> {
  const ids = requests.map((r) => r.messageId);
  const span = createdSpan(ids);
  const rows = await db<ClaimedContext[]>`
    WITH req AS (
      SELECT * FROM unnest(${ids}::text[], ${requests.map((r) => r.attempt)}::int[])
        AS r(message_id, attempt)
    ), ctx AS (
      SELECT r.attempt AS requested_attempt, m.id AS message_id, m.created_at AS message_created_at, m.state, m.attempts, m.last_attempt_at AS claimed_at,
        m.logged_attempts >= r.attempt AS attempt_logged,
        e.event_type, e.body, e.traceparent,
        s.id AS subscription_id, s.xmin::text AS subscription_version,
        EXISTS (SELECT 1 FROM webhook_recipients w WHERE w.id = s.id) AS deliverable
      FROM req r
      CROSS JOIN ${messageNamedBy(db, 'r.message_id', span)} m
      JOIN webhook_events e ON e.id = m.webhook_event_id AND e.created_at = m.event_created_at
      JOIN webhook_subscriptions s ON s.id = m.webhook_subscription_id
    ), claimed AS (
      UPDATE webhook_messages m SET attempts = ctx.requested_attempt, last_attempt_at = now()
      FROM ctx
      WHERE m.id = ctx.message_id AND m.created_at = ctx.message_created_at AND ${withinSpan(db, 'm.created_at', span)} AND ctx.deliverable AND NOT ctx.attempt_logged AND m.state = 'pending' AND (
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
}

/** The current signing context of each subscription (any state: the claim decided whether to send). */
export async function signingContexts(db: Db, ids: readonly string[]): Promise<SigningContext[]> {
  return db<SigningContext[]>`
    SELECT id AS subscription_id, xmin::text AS version, target_url, secret, previous_secret, previous_secret_expires_at, older_secrets
    FROM webhook_subscriptions WHERE id = ANY(${ids as string[]}::uuid[])`;
}
