import type { Sql } from '../../db/client.js';
import { logSuccesses, type DeliveredAttempt } from '../sql/index.js';
import { createBatcher } from './batcher.js';

/** Successes logged in one statement at most, and how long the first of them waits for more. */
const LOG_BATCH_ROWS = 100;
const LOG_WAIT_MS = 5;

/**
 * Delivered attempts, logged in batches: the statement, its reference trigger and the
 * round trip are paid once per batch. Each attempt awaits its own batch, so no job
 * completes before its delivery is recorded. Successes sent and not yet logged are what a
 * crash can send twice, so `room()` holds requests back while `maxUnlogged` wait.
 */
export function createSuccessLog(db: Sql, maxUnlogged = Number.POSITIVE_INFINITY) {
  const batcher = createBatcher((records: DeliveredAttempt[]) => logSuccesses(db, records), {
    maxItems: LOG_BATCH_ROWS,
    maxWaitMs: LOG_WAIT_MS,
  });
  let unlogged = 0;
  /** Requests that may start once fewer successes wait for their log. */
  const waiting: (() => void)[] = [];
  return {
    /** Undefined while the log has room; otherwise settles once it has. */
    room: (): Promise<void> | undefined => (unlogged < maxUnlogged ? undefined : new Promise<void>((r) => waiting.push(r))),
    /** Settles once the attempt's success is committed. */
    async add(record: DeliveredAttempt): Promise<void> {
      unlogged++;
      try {
        await batcher.add(record);
      } finally {
        unlogged--;
        waiting.shift()?.();
      }
    },
  };
}
