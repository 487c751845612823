import { EventEmitter } from 'node:events';
import { Logger as GraphileLogger, run, runMigrations, type Runner, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';

/** graphile-worker's log lines, routed into ours at debug level (errors stay errors). */
export function graphileLogger(logger?: Logger): GraphileLogger {
  return new GraphileLogger(() => (level, message, meta) => {
    if (!logger) return;
    if (level === 'error') logger.error(meta ?? {}, message);
    else if (level === 'warning') logger.warn(meta ?? {}, message);
    else logger.debug(meta ?? {}, message);
  });
}

/** Installs or upgrades graphile-worker's schema (it has its own migration table). */
export async function migrateQueue(databaseUrl: string, logger?: Logger): Promise<void> {
  const pool = ownPool(databaseUrl, 2, logger);
  try {
    await runMigrations({ pgPool: pool, logger: graphileLogger(logger) });
  } finally {
    await pool.end();
  }
}

/**
 * The queue's and the engine's statements run thousands of times a second with batches
 * of varying size; with the default plan cache mode PostgreSQL keeps re-planning them for
 * each batch (custom plans: about half a millisecond of planning per statement, more than
 * their execution). Their generic plans are index lookups, so the worker's sessions use them.
 */
export const PLAN_CACHE_MODE = 'force_generic_plan';

/**
 * graphile-worker's connections come from a pool we own, so we end it ourselves and an
 * idle connection the server drops (a restart, shutdown of an embedded PostgreSQL)
 * is logged instead of crashing the process with an unhandled 'error' event.
 */
export function ownPool(databaseUrl: string, max: number, logger?: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'ihf-webhook-queue', options: `-c plan_cache_mode=${PLAN_CACHE_MODE}` });
  pool.on('error', (err) => logger?.warn({ err }, 'webhook queue connection dropped'));
  // graphile-worker asks for a handler on each client as well (checked on connect).
  pool.on('connect', (client) => client.on('error', (err) => logger?.warn({ err }, 'webhook queue client error')));
  return pool;
}

export interface QueueRunnerOptions {
  databaseUrl: string;
  concurrency: number;
  /** How often future-dated jobs (retries) are looked for; new jobs arrive by LISTEN/NOTIFY at once. */
  pollIntervalMs?: number;
  logger: Logger;
  /** A task answers nothing, or for a batch job one promise per payload entry. */
  tasks: Record<string, (payload: unknown) => Promise<void | unknown[]>>;
  /** Called with the pool id as soon as graphile-worker creates the pool. */
  onPool?: (poolId: string) => void;
}

export async function startQueueRunner(opts: QueueRunnerOptions): Promise<{ runner: Runner; pool: pg.Pool }> {
  // One connection per in-flight job plus the local queue's fetches and LISTEN.
  const pool = ownPool(opts.databaseUrl, opts.concurrency + 2, opts.logger);
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => opts.onPool?.(workerPool.id));
  const runner = await run({
    pgPool: pool,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 1000,
    logger: graphileLogger(opts.logger),
    events,
    // Completions are batched (one round trip per job fewer). No local queue: released
    // while it holds fetched jobs (always, under load), graphile-worker 0.17.3 throws
    // ("Cannot background something when the queue is already released"), fails its
    // graceful shutdown and logs errors on every normal stop; with batch jobs of
    // MESSAGES_PER_JOB messages, its batched fetches saved little anyway.
    preset: { worker: { completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: Object.fromEntries(
      Object.entries(opts.tasks).map(([name, fn]) => [name, async (payload: unknown) => fn(payload)]),
    ),
  });
  return { runner, pool };
}
