import type { Sql, TransactionSql } from '../../db/client.js';

type Db = Sql | TransactionSql;

/**
 * A message by its id, in the one day partition its id's time names (0023); an earlier
 * id carries no time and is looked for in every partition.
 */
export const messageById = (db: Db, messageId: string) =>
  db`id = ${messageId} AND created_at BETWEEN ihf_message_created_from(${messageId}) AND ihf_message_created_until(${messageId})`;

/** The creation times a batch of message ids can name. */
export interface CreatedSpan {
  from: Date;
  until: Date;
}

/** The time in an id as ihf_message_created_at (0023) reads it: a UUIDv7's milliseconds. */
const UUID_V7_TAIL = /^[0-9a-f]{12}7/;

/**
 * The creation times a batch of message ids can name, as constants: planned with them
 * (the engine's sessions plan each run), a statement keeps only the batch's day
 * partitions instead of planning every one kept, whose cost grows with the retention
 * (bench/README.md). Null (unbounded) when an id carries no time.
 */
export function createdSpan(ids: readonly string[]): CreatedSpan | null {
  let from = Number.POSITIVE_INFINITY;
  let until = Number.NEGATIVE_INFINITY;
  for (const id of ids) {
    const tail = id.slice(-32);
    if (!UUID_V7_TAIL.test(tail)) return null;
    const ms = Number.parseInt(tail.slice(0, 12), 16);
    from = Math.min(from, ms);
    until = Math.max(until, ms);
  }
  // A millisecond either side: the database's reading goes through a float.
  return from <= until ? { from: new Date(from - 1), until: new Date(until + 1) } : null;
}

/** `column` within the span (typed timestamptz, so the planner prunes with it), or no bound. */
export const withinSpan = (db: Db, column: string, span: CreatedSpan | null) =>
  span ? db`${db(column)} BETWEEN ${span.from} AND ${span.until}` : db`TRUE`;

/**
 * `CROSS JOIN` this for the message each input row names in `idColumn` (`x.message_id`):
 * one lookup per row in its partition (LIMIT 1, the id is unique), among the partitions
 * of the batch's span. Joined instead, PostgreSQL would rather scan every partition than
 * probe each.
 */
export const messageNamedBy = (db: Db, idColumn: string, span: CreatedSpan | null) => {
  const id = db(idColumn);
  return db`LATERAL (
    SELECT * FROM webhook_messages m
    WHERE m.id = ${id} AND m.created_at BETWEEN ihf_message_created_from(${id}) AND ihf_message_created_until(${id})
      AND ${withinSpan(db, 'm.created_at', span)}
    LIMIT 1
  )`;
};
