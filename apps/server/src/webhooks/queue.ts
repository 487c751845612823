import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
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

const RESTART_DELAY_MIN_MS = 1000;
const RESTART_DELAY_MAX_MS = 30_000;
const STOP = Symbol('stop');

/**
 * graphile-worker 0.17.3 shuts a worker pool down for good when a batched completion fails
 * once (e.g. PostgreSQL restarting), and leaves the process up with no queue; that
 * shutdown can even hang, so its runner's promise never settles. So a runner whose pool
 * starts shutting down without being asked to is replaced (same pool and options), after a
 * delay that doubles while replacements keep failing or dying young.
 */
export async function startQueueRunner(opts: QueueRunnerOptions): Promise<QueueRunner> {
  absorbLostLocalQueueReturns(opts.logger);
  // One connection per in-flight job plus the local queue's fetches and LISTEN.
  const pool = ownPool(opts.databaseUrl, opts.concurrency + 2, opts.logger);
  let current = await runOnce(pool, opts);
  let requestStop!: () => void;
  const stopRequested = new Promise<typeof STOP>((resolve) => (requestStop = () => resolve(STOP)));

  const supervised = (async () => {
    let delay = RESTART_DELAY_MIN_MS;
    for (;;) {
      const startedAt = Date.now();
      const exit = await Promise.race([current.ended, stopRequested]);
      if (exit === STOP) return current.stop();
      opts.logger.error({ err: exit.err }, 'webhook queue runner stopped on its own; starting a new one');
      if (Date.now() - startedAt > RESTART_DELAY_MAX_MS) delay = RESTART_DELAY_MIN_MS;
      for (;;) {
        // Unref'd: a process stopping meanwhile is not kept up by the wait.
        if ((await Promise.race([sleep(delay, undefined, { ref: false }), stopRequested])) === STOP) return;
        delay = Math.min(delay * 2, RESTART_DELAY_MAX_MS);
        try {
          current = await runOnce(pool, opts);
          break;
        } catch (err) {
          opts.logger.error({ err, retryInMs: delay }, 'could not start a new webhook queue runner');
        }
      }
    }
  })();

  return {
    pool,
    stop() {
      requestStop();
      return supervised;
    },
  };
}

let absorbing = false;
/**
 * graphile-worker 0.17.3: a pool that shuts itself down while its local queue holds jobs
 * hands them back in a promise nothing handles; when that fails too (the database is down)
 * the rejection would end the process. Those jobs stay locked by the dead pool, whose
 * liveness lock is then given up, so the sweepers release them: only that rejection is
 * absorbed. Any other is left as if no one listened (Node's default ends the process).
 */
function absorbLostLocalQueueReturns(logger: Logger): void {
  if (absorbing) return;
  absorbing = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && reason.message.startsWith('Error occurred whilst returning jobs from local queue to database queue')) {
      logger.warn({ err: reason }, 'a stopped webhook queue could not hand back its fetched jobs; the sweeper releases them');
    } else if (process.listenerCount('unhandledRejection') === 1) {
      throw reason;
    }
  });
}

interface OneRunner {
  /** Settles once the runner has ended, or its pool started shutting down, on its own. */
  ended: Promise<{ err: unknown }>;
  stop(): Promise<void>;
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
  let localQueueMode: LocalQueueMode = 'STARTING';
  let leftWaiting: (() => void) | undefined;
  events.on('localQueue:setMode', ({ newMode }) => {
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
    // The abort signal (which our tasks do not watch) waits as long as the graceful stop.
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
    /**
     * graphile-worker 0.17.3 cannot release a local queue that holds fetched jobs (mode
     * WAITING): it throws "Cannot background something when the queue is already
     * released", and the graceful shutdown turns forceful, with errors logged. In any other
     * mode the release is clean (a fetch in flight is returned once it lands). So while the
     * local queue holds jobs, the stop waits (bounded) for the workers to take them (as the
     * caller makes running jobs finish promptly, the first free worker empties it; all may
     * be busy with requests for up to their timeout), and stops the moment it has: the
     * refetch that then starts is still in flight.
     */
    async stop() {
      stopping = true;
      if (localQueueMode === 'WAITING') {
        opts.logger.debug('webhook queue stopping: waiting for the local queue to give out the jobs it holds');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (leftWaiting = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, opts.stopTimeoutMs))),
        ]);
        clearTimeout(timer);
      }
      // Rejects only if the runner has just ended on its own: then there is nothing to stop.
      await runner.stop().catch(() => {});
    },
  };
}
