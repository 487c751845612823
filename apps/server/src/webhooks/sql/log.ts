import type { Sql, TransactionSql } from '../../db/client.js';
import { createdSpan, messageById, messageNamedBy, withinSpan } from './message-lookup.js';

type Db = Sql | TransactionSql;

export interface DeliveredAttempt {
  messageId: string;
  subscriptionId: string;
  attempt: number;
  responseCode: number;
  responseBody: string | null;
  latencyMs: number;
}

export interface FailedAttempt {
  messageId: string;
  subscriptionId: string;
  attempt: number;
  eventType: string;
  body: string;
  responseCode: number | null;
  responseBody: string | null;
  latencyMs: number;
  error: string;
}

/**
 * Delivered attempts, many in one statement (one transaction): the log rows, the
 * messages' state and the subscriptions' health. The logged payload is the event's
 * stored body, read here rather than sent back from the worker.
 */
export async function logSuccesses(db: Db, attempts: readonly DeliveredAttempt[]): Promise<void> {
  const ids = attempts.map((a) => a.messageId);
  const span = createdSpan(ids);
  const subscriptions = [...new Set(attempts.map((a) => a.subscriptionId))];
  await db`
    WITH input AS (
      SELECT * FROM unnest(
        ${ids}::text[], ${attempts.map((a) => a.attempt)}::int[], ${attempts.map((a) => a.responseCode)}::int[],
        ${attempts.map((a) => a.latencyMs)}::int[], ${attempts.map((a) => a.responseBody)}::text[]
      ) AS x(message_id, attempt, response_code, latency_ms, response_body)
    ), target AS (
      SELECT x.*, m.created_at AS message_created_at, m.webhook_subscription_id, e.body, e.event_type
      FROM input x
      CROSS JOIN ${messageNamedBy(db, 'x.message_id', span)} m
      JOIN webhook_events e ON e.id = m.webhook_event_id AND e.created_at = m.event_created_at
    ), logged AS (
      INSERT INTO webhook_deliveries
        (webhook_subscription_id, payload, status, response_code, latency_ms, error_message,
         webhook_message_id, attempt, event_type, response_body, message_created_at)
      SELECT x.webhook_subscription_id, x.body::jsonb, 'delivered', x.response_code, x.latency_ms, NULL,
        x.message_id, x.attempt, x.event_type, x.response_body, x.message_created_at
      FROM target x
      -- An attempt already logged (a duplicate job sent it too) must not fail the whole
      -- batch, whose other attempts would then be sent again after their lease.
      ON CONFLICT (webhook_message_id, attempt, message_created_at) DO NOTHING
      RETURNING 1
    ), message AS (
      UPDATE webhook_messages m SET state = 'delivered', next_attempt_at = NULL, logged_attempts = GREATEST(m.logged_attempts, x.attempt)
      FROM target x WHERE m.id = x.message_id AND m.created_at = x.message_created_at AND ${withinSpan(db, 'm.created_at', span)} RETURNING 1
    ), healthy AS (
      UPDATE webhook_subscriptions s SET consecutive_failures = 0
      WHERE s.id = ANY(${subscriptions}::uuid[]) AND s.consecutive_failures > 0 RETURNING 1
    )
    SELECT (SELECT count(*) FROM logged) + (SELECT count(*) FROM message) + (SELECT count(*) FROM healthy) AS n`;
}

/**
 * Appends a failed attempt to the log (append-only) and moves its message: pending until
 * `nextAttemptAt`, or failed when there is none. False (and nothing changed) when the
 * attempt was already logged: a duplicate job sent it too, and the first did the bookkeeping.
 */
export async function logFailure(db: Db, a: FailedAttempt, nextAttemptAt: Date | null): Promise<boolean> {
  const logged = await db`
    INSERT INTO webhook_deliveries
      (webhook_subscription_id, payload, status, response_code, latency_ms, error_message,
       webhook_message_id, attempt, event_type, response_body, message_created_at)
    VALUES (${a.subscriptionId}, ${a.body}::text::jsonb, 'failed', ${a.responseCode}, ${a.latencyMs}, ${a.error},
      ${a.messageId}, ${a.attempt}, ${a.eventType}, ${a.responseBody},
      -- the message's partition key; a missing message fails the reference check, as before
      coalesce((SELECT created_at FROM webhook_messages WHERE ${messageById(db, a.messageId)}), now()))
    ON CONFLICT (webhook_message_id, attempt, message_created_at) DO NOTHING`;
  if (logged.count === 0) return false;
  await db`
    UPDATE webhook_messages SET state = ${nextAttemptAt ? 'pending' : 'failed'}, next_attempt_at = ${nextAttemptAt},
      logged_attempts = GREATEST(logged_attempts, ${a.attempt})
    WHERE ${messageById(db, a.messageId)}`;
  return true;
}

/** Counts one more consecutive failure of the subscription; answers the new count. */
export async function countFailure(db: Db, subscriptionId: string): Promise<number> {
  const [row] = await db<{ consecutive_failures: number }[]>`
    UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1
    WHERE id = ${subscriptionId} RETURNING consecutive_failures`;
  return row?.consecutive_failures ?? 0;
}

/**
 * Its pending messages are cancelled as their jobs come up (the claim finds the
 * subscription undeliverable), not here: here they would be locked after the subscription
 * row, the reverse of their own logging's order, and concurrent failures would deadlock.
 * A message waiting for a retry is sent again if the owner re-enables in time.
 */
export async function disableSubscription(db: Db, subscriptionId: string, reason: string): Promise<void> {
  await db`
    UPDATE webhook_subscriptions SET disabled_at = now(), disabled_reason = ${reason}, updated_at = now()
    WHERE id = ${subscriptionId} AND disabled_at IS NULL`;
}
