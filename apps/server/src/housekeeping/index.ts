import type { Logger } from 'pino';
import { createSql, type Sql, type TransactionSql } from '../db/client.js';
import { createIdempotencyRepository } from '../db/repositories/idempotency.js';

/** How often expired Idempotency-Key rows are purged. */
const PURGE_INTERVAL_MS = 10 * 60_000;

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

/**
 * Deletes expired Idempotency-Key rows (expired ones are already ignored; this reclaims
 * the space). Answers the rows deleted, or `skipped` while another replica purges.
 */
export function purgeIdempotencyKeys(sql: Sql): Promise<number | 'skipped'> {
  return runExclusive(sql, 'ihf-housekeeping:idempotency-purge', (tx) => createIdempotencyRepository(sql).purgeExpired(tx));
}

export interface Housekeeping {
  stop(): Promise<void>;
}

/**
 * Periodic chores that need one process, not a request path, started by every role:
 * replicas take turns through an advisory lock rather than each doing the work.
 */
export function startHousekeeping(opts: { databaseUrl: string; logger: Logger }): Housekeeping {
  const sql = createSql(opts.databaseUrl, { max: 1, applicationName: 'ihf-housekeeping' });
  let running: Promise<unknown> = Promise.resolve();
  const purge = setInterval(() => {
    running = purgeIdempotencyKeys(sql).catch((err: unknown) => opts.logger.error({ err }, 'idempotency purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  return {
    async stop() {
      clearInterval(purge);
      await running;
      await sql.end({ timeout: 2 });
    },
  };
}
