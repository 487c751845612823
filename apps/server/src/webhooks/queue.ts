import { EventEmitter } from 'node:events';
import { Logger as GraphileLogger, run, runMigrations, type Runner, type WorkerEvents } from 'graphile-worker';
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
  await runMigrations({ connectionString: databaseUrl, logger: graphileLogger(logger) });
}

export interface QueueRunnerOptions {
  databaseUrl: string;
  concurrency: number;
  /** How often future-dated jobs (retries) are looked for; new jobs arrive by LISTEN/NOTIFY at once. */
  pollIntervalMs?: number;
  logger: Logger;
  tasks: Record<string, (payload: unknown) => Promise<void>>;
  /** Called with the pool id as soon as graphile-worker creates the pool. */
  onPool?: (poolId: string) => void;
}

export async function startQueueRunner(opts: QueueRunnerOptions): Promise<Runner> {
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }: { workerPool: { id: string } }) => opts.onPool?.(workerPool.id));
  return run({
    connectionString: opts.databaseUrl,
    concurrency: opts.concurrency,
    // One connection per in-flight job plus the local queue's fetches and LISTEN.
    maxPoolSize: opts.concurrency + 2,
    noHandleSignals: true,
    pollInterval: opts.pollIntervalMs ?? 1000,
    logger: graphileLogger(opts.logger),
    events,
    // A local queue fetches (and locks) jobs in batches, and completions are batched:
    // two round trips per job fewer. A killed worker's locks are released by our sweeper.
    preset: { worker: { localQueue: { size: opts.concurrency + 1 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
    taskList: Object.fromEntries(
      Object.entries(opts.tasks).map(([name, fn]) => [name, async (payload: unknown) => fn(payload)]),
    ),
  });
}
