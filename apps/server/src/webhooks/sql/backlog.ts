import type { Sql } from '../../db/client.js';
import { DELIVER_BATCH_TASK, DELIVER_TASK } from '../jobs.js';

export interface Backlog {
  /** Messages with an attempt queued: due, running, or waiting for their retry. */
  pending: number;
  /** How long the most overdue attempt has waited past its due time (0 when none is due). */
  oldestSeconds: number;
}

/**
 * The delivery backlog, read from the job queue rather than from webhook_messages: every
 * pending message has exactly one queued attempt (a batch job carries up to 100), and the
 * queue holds only those, so no scan of the message history is needed. An index on
 * webhook_messages.state would make every outcome update a non-HOT update (0007).
 * Jobs graphile-worker gave up on (our own code failed 10 times) stay pending but are
 * not "due": they are left out of the age, which would otherwise grow for ever.
 * graphile-worker's public `jobs` view has no payload, hence its private table.
 */
export async function deliveryBacklog(sql: Sql): Promise<Backlog> {
  const [row] = await sql<{ pending: number; oldest_seconds: number }[]>`
    SELECT
      coalesce(sum(CASE WHEN t.identifier = ${DELIVER_BATCH_TASK} THEN json_array_length(j.payload) ELSE 1 END), 0)::int AS pending,
      coalesce(extract(epoch FROM now() - min(j.run_at) FILTER (WHERE j.run_at <= now() AND j.attempts < j.max_attempts)), 0)::float8
        AS oldest_seconds
    FROM graphile_worker._private_jobs j
    JOIN graphile_worker._private_tasks t ON t.id = j.task_id
    WHERE t.identifier IN (${DELIVER_TASK}, ${DELIVER_BATCH_TASK})`;
  return { pending: row?.pending ?? 0, oldestSeconds: row?.oldest_seconds ?? 0 };
}
