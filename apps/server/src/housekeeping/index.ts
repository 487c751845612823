import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createSql, type Sql } from '../db/client.js';
import { createIdempotencyRepository } from '../db/repositories/idempotency.js';
import { claimLeaseSeconds } from '../webhooks/delivery/lease.js';
import { runExclusive } from './exclusive.js';
import { pruneExpiredCredentials } from './expired-credentials.js';
import { expireDefaultPartitions, keepDays, maintainWebhookTables } from './webhook-retention.js';

export { runExclusive } from './exclusive.js';
export { pruneExpiredCredentials } from './expired-credentials.js';
export { expireDefaultPartitions, keepDays, maintainWebhookTables, retryHorizonSeconds } from './webhook-retention.js';

/** How often expired Idempotency-Key rows are purged. */
const PURGE_INTERVAL_MS = 10 * 60_000;
/** How often the webhook tables' partitions are maintained and expired credentials pruned (and once at start). */
const HOURLY_MS = 60 * 60_000;

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

type HousekeepingConfig = Pick<Config, 'WEBHOOK_RETENTION_DAYS' | 'WEBHOOK_RETRY_SCHEDULE' | 'WEBHOOK_TIMEOUT_MS'>;

/**
 * Periodic chores that need one process, not a request path, started by every role:
 * replicas take turns through an advisory lock rather than each doing the work.
 */
export function startHousekeeping(opts: { databaseUrl: string; logger: Logger; config: HousekeepingConfig }): Housekeeping {
  const sql = createSql(opts.databaseUrl, { max: 1, applicationName: 'ihf-housekeeping' });
  const { logger, config } = opts;
  const keep = keepDays(config.WEBHOOK_RETENTION_DAYS, config.WEBHOOK_RETRY_SCHEDULE, claimLeaseSeconds(config.WEBHOOK_TIMEOUT_MS));
  let running: Promise<unknown> = Promise.resolve();
  const after = (chore: () => Promise<unknown>) => {
    running = running.then(chore);
  };
  const purge = setInterval(() => {
    after(() => purgeIdempotencyKeys(sql).catch((err: unknown) => logger.error({ err }, 'idempotency purge failed')));
  }, PURGE_INTERVAL_MS);
  const hourly = () => {
    const now = new Date();
    after(() =>
      maintainWebhookTables(sql, { keep, now })
        .then((dropped) => dropped && dropped !== 'skipped' && logger.info({ dropped, keepDays: keep }, 'webhook tables: days past retention dropped'))
        .catch((err: unknown) => logger.error({ err }, 'webhook tables: partition maintenance failed')),
    );
    after(() =>
      expireDefaultPartitions(sql, { keep, now })
        .then((deleted) => deleted && deleted !== 'skipped' && logger.info({ deleted, keepDays: keep }, 'webhook tables: default-partition rows past retention deleted'))
        .catch((err: unknown) => logger.error({ err }, 'webhook tables: default-partition expiry failed')),
    );
    after(() =>
      pruneExpiredCredentials(sql, now)
        .then((deleted) => deleted && deleted !== 'skipped' && logger.info({ deleted }, 'expired OAuth tokens and portal credentials deleted'))
        .catch((err: unknown) => logger.error({ err }, 'expired credential prune failed')),
    );
  };
  hourly();
  const maintain = setInterval(hourly, HOURLY_MS);
  purge.unref();
  maintain.unref();
  return {
    async stop() {
      clearInterval(purge);
      clearInterval(maintain);
      await running;
      await sql.end({ timeout: 2 });
    },
  };
}
