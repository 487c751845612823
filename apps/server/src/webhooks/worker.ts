import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { createSql, type Sql } from '../db/client.js';
import { createDeliveriesRepository } from '../db/repositories/deliveries.js';
import { createIdempotencyRepository } from '../db/repositories/idempotency.js';
import { createDeliveryEngine } from './engine.js';
import { DELIVER_BATCH_TASK, DELIVER_TASK, type DeliverPayload } from './outbox.js';
import { PLAN_CACHE_MODE, startQueueRunner } from './queue.js';
import { createSecretBox } from './secret-box.js';
import { createSenderAgents } from './sender.js';
import type { LookupFn } from './ssrf.js';

export interface WebhookWorkerOptions {
  config: Config;
  databaseUrl: string;
  logger: Logger;
  concurrency?: number;
  lookup?: LookupFn;
  pollIntervalMs?: number;
  /** How often to look for jobs held by dead workers. */
  sweepIntervalMs?: number;
}

export interface WebhookWorker {
  /** Finishes in-flight attempts, then stops. */
  stop(): Promise<void>;
}

const STOP_TIMEOUT_MS = 10_000;
/**
 * Attempts (graphile-worker jobs) running per request slot. An attempt spends most of its
 * time in the database (claim, then the log), where it does not need a slot; with only as
 * many attempts as slots, the slots sat idle for most of each attempt.
 */
export const ATTEMPTS_PER_REQUEST_SLOT = 4;
/**
 * Batch jobs (a fan-out's first attempts, up to 100 messages each) running at once. One
 * alone can fill every attempt slot; each more only holds messages back from the other
 * workers: with one job slot per attempt slot, a worker took up to 64 running and 65
 * fetched batch jobs, 12,900 messages, while its peers found the queue empty.
 */
export const BATCH_JOBS = 4;

const lockKey = (poolId: string) => `ihf-webhook-worker:${poolId}`;

/**
 * Crash recovery: graphile-worker keeps a dead worker's jobs locked for 4 hours. Each
 * of our worker pools holds a session advisory lock named after its pool id on a
 * dedicated connection, which PostgreSQL drops the moment the process dies. A sweeper
 * unlocks the jobs of any pool whose advisory lock is free (its process is gone), through
 * graphile-worker's public `jobs` view and `force_unlock_workers` function.
 */
async function sweepDeadPools(sql: Sql, logger: Logger): Promise<number> {
  const pools = await sql<{ locked_by: string }[]>`
    SELECT DISTINCT locked_by FROM graphile_worker.jobs
    WHERE locked_by IS NOT NULL AND locked_at < now() - interval '2 seconds'`;
  const dead: string[] = [];
  for (const { locked_by } of pools) {
    const [probe] = await sql<{ free: boolean }[]>`SELECT pg_try_advisory_lock(hashtextextended(${lockKey(locked_by)}, 0)) AS free`;
    if (probe?.free) {
      await sql`SELECT pg_advisory_unlock(hashtextextended(${lockKey(locked_by)}, 0))`;
      dead.push(locked_by);
    }
  }
  if (dead.length > 0) {
    await sql`SELECT graphile_worker.force_unlock_workers(${dead}::text[])`;
    logger.warn({ pools: dead }, 'released webhook jobs held by workers that died');
  }
  return dead.length;
}

/** postgres.js passes a URL's unknown query parameters to PostgreSQL as session settings. */
function withSessionSetting(databaseUrl: string, name: string, value: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set(name, value);
  return url.toString();
}

export async function startWebhookWorker(opts: WebhookWorkerOptions): Promise<WebhookWorker> {
  const { config, logger } = opts;
  if (!config.IHF_SECRET_KEY) throw new Error('IHF_SECRET_KEY is required to run the webhook worker');
  /** Requests in flight at once. */
  const concurrency = opts.concurrency ?? config.WEBHOOK_CONCURRENCY;
  const sessionUrl = withSessionSetting(opts.databaseUrl, 'plan_cache_mode', PLAN_CACHE_MODE);
  const sql = createSql(sessionUrl, {
    max: Math.max(4, Math.ceil(concurrency / 2) + 2),
    applicationName: 'ihf-webhook-worker',
  });
  // The hot path (batched claims and logged successes) has a session of its own: the
  // statements of one tick are pipelined on it and leave in one write, so the database is
  // woken once per tick rather than once per statement (each wake-up on a busy machine
  // can preempt this process mid-write).
  // Its commits do not wait for the WAL flush (synchronous_commit=off): a claim or a logged
  // success then costs no disk wait on the hot path. At-least-once still holds: only a
  // PostgreSQL crash can lose such a commit, and only one not yet followed by a synchronous
  // one (each flush covers all WAL before it, e.g. the job's completion, which comes after
  // its attempt is logged). A lost claim or success leaves its message pending with its job
  // still queued, so the attempt is sent again: a duplicate, never a loss.
  const hotSql = createSql(withSessionSetting(sessionUrl, 'synchronous_commit', 'off'), {
    max: 1,
    applicationName: 'ihf-webhook-worker',
  });
  // The liveness lock must sit on one session for the pool's whole life.
  const lockConn = await sql.reserve();
  const agents = createSenderAgents(Math.max(16, concurrency * 2));
  const engine = createDeliveryEngine({
    sql,
    deliveries: createDeliveriesRepository(sql),
    secretBox: createSecretBox(config.IHF_SECRET_KEY),
    logger,
    retrySchedule: config.WEBHOOK_RETRY_SCHEDULE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    lookup: opts.lookup,
    agents,
    maxRequests: concurrency,
    hotSql,
    maxAttempts: concurrency * ATTEMPTS_PER_REQUEST_SLOT,
  });

  const poolsLocked: Promise<unknown>[] = [];
  const runner = (jobs: number, task: string) =>
    startQueueRunner({
      databaseUrl: opts.databaseUrl,
      concurrency: jobs,
      pollIntervalMs: opts.pollIntervalMs,
      logger,
      onPool: (poolId) => {
        poolsLocked.push(
          lockConn`SELECT pg_advisory_lock(hashtextextended(${lockKey(poolId)}, 0))`.catch((err: unknown) =>
            logger.error({ err }, 'could not take the worker liveness lock'),
          ),
        );
      },
      tasks: {
        [task]: async (payload) => {
          const job = payload as DeliverPayload;
          if (!Array.isArray(job)) return void (await engine.deliver(job.m, job.a));
          // A batch job: one promise per message, so graphile-worker re-queues only the failed ones.
          return job.map(({ m, a }) => {
            const attempt = engine.deliver(m, a);
            attempt.catch(() => {}); // settled by graphile-worker; this only marks it handled meanwhile
            return attempt;
          });
        },
      },
    });
  // Two queue runners, each with its own job slots: single attempts get one per attempt
  // slot (a retry to a slow receiver holds its slot for the whole timeout), batch jobs a
  // few. The single-attempt task still takes batch payloads: those queued before the
  // batch task existed.
  const queues = [
    await runner(concurrency * ATTEMPTS_PER_REQUEST_SLOT, DELIVER_TASK),
    await runner(BATCH_JOBS, DELIVER_BATCH_TASK),
  ];
  await Promise.all(poolsLocked);

  const sweep = () =>
    sweepDeadPools(sql, logger).catch((err: unknown) => logger.error({ err }, 'webhook sweeper failed'));
  await sweep();
  const timer = setInterval(() => void sweep(), opts.sweepIntervalMs ?? 5000);
  timer.unref();
  // Housekeeping that needs one process, not a request path: expired Idempotency-Key rows
  // (they are already ignored once expired; this only reclaims the space).
  const idempotency = createIdempotencyRepository(sql);
  const purge = setInterval(
    () => void idempotency.purgeExpired().catch((err: unknown) => logger.error({ err }, 'idempotency purge failed')),
    10 * 60_000,
  );
  purge.unref();

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        clearInterval(timer);
        clearInterval(purge);
        // Attempts in flight finish and are logged; those not started yet (and those of
        // jobs that start from now on) go back to the queue runnable at once, so their jobs
        // complete with the attempts in flight and another worker takes them over without
        // delay; no new job is taken once the queue runner stops.
        // Bounded: if the database is already gone (e.g. an embedded one stopped first),
        // in-flight jobs stay locked for the sweeper rather than holding up the exit.
        const handingBack = engine.handBack().catch((err: unknown) => {
          logger.error({ err }, 'could not hand waiting webhook attempts back to the queue; their jobs retry after a backoff');
          return 0;
        });
        const stopping = Promise.all(queues.map((q) => q.stop()));
        const handedBack = await handingBack;
        if (handedBack > 0) logger.info({ handedBack }, 'webhook attempts not started yet handed back to the queue');
        await Promise.race([stopping, new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS).unref())]);
        await Promise.race([Promise.all(queues.map((q) => q.pool.end())), new Promise((r) => setTimeout(r, 1000).unref())]);
        agents.destroy();
        lockConn.release();
        await sql.end({ timeout: 2 });
        await hotSql.end({ timeout: 2 });
      })();
      return stopped;
    },
  };
}
