import type { Sql, TransactionSql } from '../db/client.js';
import { runExclusive } from './exclusive.js';
import { utcDay } from '../lib/time.js';

/** Day partitions created ahead of today; housekeeping runs hourly, so three days is ample. */
export const DAYS_AHEAD = 3;

/**
 * Seconds from a message's creation to the latest its last scheduled attempt can start:
 * each retry at its longest (+10 % jitter, or a receiver's Retry-After up to the cap
 * retry.ts allows), plus a lease per attempt (a claim may be taken over after one).
 */
export function retryHorizonSeconds(schedule: readonly number[], leaseSeconds: number): number {
  const cap = Math.max(3600, ...schedule);
  const waits = schedule.slice(1).reduce((sum, delay) => sum + Math.max(delay * 1.1, cap), 0);
  return waits + schedule.length * leaseSeconds;
}

/** Whole days a day partition is kept after it ends: the retention, or the retry horizon when longer. */
export function keepDays(retentionDays: number, schedule: readonly number[], leaseSeconds: number): number {
  return Math.max(retentionDays, Math.ceil(retryHorizonSeconds(schedule, leaseSeconds) / 86_400));
}

/** One retention statement for the UTC day of `now`, one replica at a time (else `skipped`). */
function underRetentionLock(sql: Sql, now: Date, statement: (tx: TransactionSql, today: string) => Promise<number>): Promise<number | 'skipped'> {
  return runExclusive(sql, 'ihf-housekeeping:webhook-retention', (tx) => statement(tx, utcDay(now)));
}

/**
 * Creates the webhook tables' partitions of the coming days and drops each day that ended
 * more than `keep` days before `now` (UTC), unless a queued job still carries an attempt of
 * one of its messages (migration 0023, `ihf_webhook_maintain`). Answers the days dropped,
 * or `skipped` while another replica does it.
 */
export function maintainWebhookTables(sql: Sql, opts: { keep: number; now: Date }): Promise<number | 'skipped'> {
  return underRetentionLock(sql, opts.now, async (tx, today) => {
    const [row] = await tx<{ dropped: number }[]>`SELECT ihf_webhook_maintain(${opts.keep}, ${DAYS_AHEAD}, ${today}::date) AS dropped`;
    return row!.dropped;
  });
}

/**
 * Deletes the rows of the webhook tables' `_default` partitions (rows written for a day
 * that had no partition) created more than `keep` days before `now`, unless a queued job
 * still carries an attempt of one of them (migration 0025). Answers the rows deleted, or
 * `skipped` while another replica maintains the tables.
 */
export function expireDefaultPartitions(sql: Sql, opts: { keep: number; now: Date }): Promise<number | 'skipped'> {
  return underRetentionLock(sql, opts.now, async (tx, today) => {
    const [row] = await tx<{ deleted: number }[]>`SELECT ihf_webhook_expire_default(${opts.keep}, ${today}::date) AS deleted`;
    return row!.deleted;
  });
}
