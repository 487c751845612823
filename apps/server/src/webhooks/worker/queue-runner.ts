import { EventEmitter } from 'node:events';
import { Logger as GraphileLogger, run, runMigrations, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Logger } from 'pino';
import { absorbLostLocalQueueReturns, superviseRunner, watchLocalQueue, type OneRunner } from './graphile-worker-workarounds.js';

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
 * graphile-worker's statements run thousands of times a second with batches of varying
 * size, and PostgreSQL's default plan cache mode keeps re-planning them per batch size
 * (planning costs more than executing them). Their generic plans are index lookups on one
 * table; the engine's statements, across day partitions, are planned per run (worker.ts).
 */
const PLAN_CACHE_MODE = 'force_generic_plan';

/**
 * graphile-worker's connections come from a pool we own, so we end it ourselves and an
 * idle connection the server drops (a restart) is logged instead of crashing the process
 * with an unhandled 'error' event.
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
  /** Called with the pool id as soon as graphile-worker creates the pool (and each replacement). */
  onPool?: (poolId: string) => void;
  /** Called (maybe more than once) when a pool's shutdown has finished or failed: its jobs no longer run here. */
  onPoolEnd?: (poolId: string) => void;
  /** How long a graceful stop waits for running jobs: at least one attempt's whole request. */
  stopTimeoutMs: number;
}

export interface QueueRunner {
  /**
   * Graceful stop: takes no more jobs, waits for the running ones. The caller makes those
   * finish promptly (the engine hands back attempts not started yet).
   */
  stop(): Promise<void>;
  /** Ours to end once the runner has stopped. */
  pool: pg.Pool;
}

/** A graphile-worker runner on a pool of our own, supervised: replaced if it stops on its own. */
export async function startQueueRunner(opts: QueueRunnerOptions): Promise<QueueRunner> {
  absorbLostLocalQueueReturns(opts.logger);
  // One connection per in-flight job plus the local queue's fetches and LISTEN.
  const pool = ownPool(opts.databaseUrl, opts.concurrency + 2, opts.logger);
  const supervised = await superviseRunner(() => runOnce(pool, opts), opts.logger);
  return { pool, stop: () => supervised.stop() };
}

/** One graphile-worker runner on our pool, with its graceful stop. */
async function runOnce(pool: pg.Pool, opts: QueueRunnerOptions): Promise<OneRunner> {
  let stopping = false;
  let end!: (err: unknown) => void;
  const ended = new Promise<{ err: unknown }>((resolve) => (end = (err) => resolve({ err })));
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }) => opts.onPool?.(workerPool.id));
  events.on('pool:gracefulShutdown', ({ message }) => {
    if (!stopping) end(new Error(message));
  });
  // Its jobs have finished (or are given up): the pool's own shutdown completed or failed.
  for (const done of ['pool:release', 'pool:gracefulShutdown:complete', 'pool:gracefulShutdown:error', 'pool:forcefulShutdown:complete', 'pool:forcefulShutdown:error'] as const) {
    events.on(done, ({ workerPool }) => opts.onPoolEnd?.(workerPool.id));
  }
  const localQueue = watchLocalQueue(events);
  const runner = await run({
    pgPool: pool,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 1000,
    logger: graphileLogger(opts.logger),
    events,
    // A local queue fetches (and locks) jobs in batches, and completions are batched: fewer
    // round trips per job, and one poll of an idle queue instead of one per job slot. A
    // killed worker's locks are released by our sweeper (liveness.ts). The abort signal
    // (which our tasks do not watch) waits as long as the graceful stop.
    preset: {
      worker: {
        localQueue: { size: opts.concurrency + 1 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
        gracefulShutdownAbortTimeout: opts.stopTimeoutMs,
      },
    },
    taskList: Object.fromEntries(
      Object.entries(opts.tasks).map(([name, fn]) => [name, async (payload: unknown) => fn(payload)]),
    ),
  });
  runner.promise.then(
    () => end(new Error('the runner ended')),
    (err: unknown) => end(err),
  );

  return {
    ended,
    async stop() {
      stopping = true;
      await localQueue.emptied(opts.stopTimeoutMs, opts.logger);
      // Rejects only if the runner has just ended on its own: then there is nothing to stop.
      await runner.stop().catch(() => {});
    },
  };
}
