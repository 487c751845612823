import type { Sql, TransactionSql } from '../db/client.js';

/**
 * Runs `task` in a transaction holding the advisory lock named `name`, or not at all when
 * another replica holds it: each round, one replica does the work and the others skip it.
 * A transaction-level lock, so it is released with the transaction, never left on a
 * pooled connection. Answers the task's result, or `skipped`.
 */
export async function runExclusive<T>(sql: Sql, name: string, task: (tx: TransactionSql) => Promise<T>): Promise<T | 'skipped'> {
  return sql.begin(async (tx) => {
    const [lock] = await tx<{ held: boolean }[]>`SELECT pg_try_advisory_xact_lock(hashtextextended(${name}, 0)) AS held`;
    return lock!.held ? task(tx) : ('skipped' as const);
  }) as Promise<T | 'skipped'>;
}
