import type { Sql, TransactionSql } from '../../db/client.js';
import type { AttemptKey } from './claim.js';
import { createdSpan, messageNamedBy, withinSpan } from './message-lookup.js';

/**
 * Gives up claims never sent (a stopping worker hands their attempts back): each message
 * goes back to the attempt before, so the next job of the attempt claims it at once
 * instead of after the lease. Only claims still within their lease: past it, another
 * worker may have taken the attempt over and be sending it.
 */
export async function releaseClaims(db: Sql | TransactionSql, claims: readonly AttemptKey[], leaseSeconds: number): Promise<void> {
  const ids = claims.map((c) => c.messageId);
  const span = createdSpan(ids);
  await db`
    WITH claims AS (
      SELECT k.id, k.created_at, x.attempt
      FROM unnest(${ids}::text[], ${claims.map((c) => c.attempt)}::int[]) AS x(message_id, attempt)
      CROSS JOIN ${messageNamedBy(db, 'x.message_id', span)} k
    )
    UPDATE webhook_messages m SET attempts = x.attempt - 1
    FROM claims x
    WHERE m.id = x.id AND m.created_at = x.created_at AND ${withinSpan(db, 'm.created_at', span)} AND m.attempts = x.attempt AND m.logged_attempts < x.attempt
      AND m.last_attempt_at >= now() - make_interval(secs => ${leaseSeconds})`;
}
