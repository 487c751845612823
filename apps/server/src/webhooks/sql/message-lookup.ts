import type { Sql, TransactionSql } from '../../db/client.js';

type Db = Sql | TransactionSql;

/**
 * A message by its id, in the one day partition its id's time names (0023); an earlier
 * id carries no time and is looked for in every partition.
 */
export const messageById = (db: Db, messageId: string) =>
  db`id = ${messageId} AND created_at BETWEEN ihf_message_created_from(${messageId}) AND ihf_message_created_until(${messageId})`;

/**
 * `CROSS JOIN` this for the message each input row names in `idColumn` (`x.message_id`):
 * one lookup per row in its partition (LIMIT 1, the id is unique). Joined instead,
 * PostgreSQL would rather scan every partition than probe each.
 */
export const messageNamedBy = (db: Db, idColumn: string) => {
  const id = db(idColumn);
  return db`LATERAL (
    SELECT * FROM webhook_messages m
    WHERE m.id = ${id} AND m.created_at BETWEEN ihf_message_created_from(${id}) AND ihf_message_created_until(${id})
    LIMIT 1
  )`;
};
