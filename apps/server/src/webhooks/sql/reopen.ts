import type { Sql, TransactionSql } from '../../db/client.js';
import type { AttemptKey } from './claim.js';
import { messageById } from './message-lookup.js';

type Db = Sql | TransactionSql;

// A claim not logged is an attempt possibly on the wire until its lease has run out. A
// message is reopened after whichever is further, its claim or its log, so an attempt
// number is never sent twice (the log may then skip the number of a claim never sent).
const noAttemptInFlight = (db: Db, leaseSeconds: number) =>
  db`(attempts <= logged_attempts OR last_attempt_at < now() - make_interval(secs => ${leaseSeconds}))`;
const fromLastLogged = (db: Db) => db`attempts = GREATEST(attempts, logged_attempts)`;

/**
 * A message whose subscription can no longer receive. Its claim, if any, is kept: another
 * job's attempt may still be on the wire, in flight until logged or its lease runs out.
 */
export async function cancelMessage(db: Db, messageId: string): Promise<void> {
  await db`UPDATE webhook_messages SET state = 'cancelled' WHERE ${messageById(db, messageId)} AND state = 'pending'`;
}

/**
 * Redeliver: marks a message for one more attempt, now; answers the attempt number to
 * queue. A message waiting for a retry gets it now (the new job replaces the retry's under
 * the message's job key). Refused (undefined) while an attempt is in flight: a second
 * attempt sent beside it could be logged first.
 */
export async function reopenMessage(db: Db, messageId: string, leaseSeconds: number): Promise<number | undefined> {
  const [row] = await db<{ attempts: number }[]>`
    UPDATE webhook_messages SET state = 'pending', next_attempt_at = now(), ${fromLastLogged(db)}
    WHERE ${messageById(db, messageId)} AND ${noAttemptInFlight(db, leaseSeconds)} RETURNING attempts`;
  return row ? row.attempts + 1 : undefined;
}

/**
 * Recover: the messages of a subscription created since `since` that ended undelivered
 * (schedule ran out, or cancelled while it could not receive), pending again, with the
 * attempt each is to make next. One whose attempt is still in flight is left alone.
 */
export async function reopenUndelivered(db: Db, subscriptionId: string, since: string, leaseSeconds: number): Promise<AttemptKey[]> {
  return db<AttemptKey[]>`
    UPDATE webhook_messages SET state = 'pending', next_attempt_at = now(), ${fromLastLogged(db)}
    WHERE webhook_subscription_id = ${subscriptionId} AND created_at >= ${since}::text::timestamptz
      AND state IN ('failed', 'cancelled') AND ${noAttemptInFlight(db, leaseSeconds)}
    RETURNING id AS "messageId", attempts + 1 AS attempt`;
}
