import { EventEmitter } from 'node:events';
import { Logger as GraphileLogger, run, runMigrations, type LocalQueueMode, type WorkerEvents } from 'graphile-worker';
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

export interface QueueRunner {
  /**
   * Graceful stop: takes no more jobs, waits for the running ones. The caller makes those
   * finish promptly (the engine hands back attempts not started yet).
   */
  stop(): Promise<void>;
  /** Ours to end once the runner has stopped. */
  pool: pg.Pool;
}

/** Longest wait for the local queue to give out its jobs before stopping regardless. */
const LOCAL_QUEUE_DRAIN_MS = 5000;

export async function startQueueRunner(opts: QueueRunnerOptions): Promise<QueueRunner> {
  // One connection per in-flight job plus the local queue's fetches and LISTEN.
  const pool = ownPool(opts.databaseUrl, opts.concurrency + 2, opts.logger);
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => opts.onPool?.(workerPool.id));
  let localQueueMode: LocalQueueMode = 'STARTING';
  let leftWaiting: (() => void) | undefined;
  events.on('localQueue:setMode', ({ newMode }: { newMode: LocalQueueMode }) => {
    localQueueMode = newMode;
    if (newMode !== 'WAITING') leftWaiting?.();
  });
  const runner = await run({
    pgPool: pool,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 1000,
    logger: graphileLogger(opts.logger),
    events,
    // A local queue fetches (and locks) jobs in batches, and completions are batched:
    // two round trips per job fewer, and one poll of an idle queue instead of one per
    // job slot (measured idle: 2 statements a second instead of 70). A killed worker's
    // locks are released by our sweeper.
    preset: { worker: { localQueue: { size: opts.concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: Object.fromEntries(
      Object.entries(opts.tasks).map(([name, fn]) => [name, async (payload: unknown) => fn(payload)]),
    ),
  });

  return {
    pool,
    /**
     * graphile-worker 0.17.3 cannot release a local queue that holds fetched jobs (mode
     * WAITING): it throws "Cannot background something when the queue is already
     * released", and the graceful shutdown turns forceful, with errors logged. In any other
     * mode the release is clean (a fetch in flight is returned once it lands). So while the
     * local queue holds jobs, the stop waits (bounded) for the workers to take them (as the
     * caller makes running jobs finish promptly, the first free worker empties it), and
     * stops the moment it has: the refetch that then starts is still in flight.
     */
    async stop() {
      if (localQueueMode === 'WAITING') {
        opts.logger.debug('webhook queue stopping: waiting for the local queue to give out the jobs it holds');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (leftWaiting = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, LOCAL_QUEUE_DRAIN_MS))),
        ]);
        clearTimeout(timer);
      }
      await runner.stop();
    },
  };
}
