import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Config } from '../config.js';
import { createSql, type Sql } from '../db/client.js';
import { createIdempotencyRepository } from '../db/repositories/idempotency.js';
import { createDeliveryEngine } from './delivery/engine.js';
import { DELIVER_BATCH_TASK, DELIVER_TASK, type AttemptPayload, type BatchPayload } from './jobs.js';
import { PLAN_CACHE_MODE, startQueueRunner } from './queue.js';
import { createSecretBox } from './secret-box.js';
import { createSenderAgents } from './delivery/sender.js';
import type { LookupFn } from './delivery/ssrf.js';

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

/** Beyond an attempt's request timeout: its claim and logging, and its job's completion. */
const STOP_MARGIN_MS = 5000;
/**
 * Single-attempt jobs (retries, test events, redeliveries) running per request slot. An
 * attempt spends much of its time in the database (claim, then the log), where it does
 * not need a slot; with only as many attempts as slots, the slots sat idle.
 */
export const ATTEMPTS_PER_REQUEST_SLOT = 4;
/**
 * Delivered attempts per request slot that may wait for their batched log before no
 * request starts: enough for one log batch being written while the next fills at full
 * speed (16 slots: 192, two batches of 100). Attempts sent and not yet committed, what one
 * crash can send twice, are at most the slots plus these.
 */
export const SUCCESSES_WAITING_PER_REQUEST_SLOT = 12;
/**
 * Batch jobs (a fan-out's first attempts, up to 100 messages each) running at once. One
 * alone can fill every attempt slot; each more only holds messages back from the other
 * workers: with one job slot per attempt slot, a worker took up to 64 running and 65
 * fetched batch jobs, 12,900 messages, while its peers found the queue empty.
 */
export const BATCH_JOBS = 4;
/**
 * How often the liveness session is checked. Well under the sweepers' interval, so locks
 * lost with a session (a restart) are back before most sweepers look.
 */
const LIVENESS_CHECK_MS = 1000;

const LOCK_PREFIX = 'ihf-webhook-worker:';

/**
 * Crash recovery: graphile-worker keeps a dead worker's jobs locked for 4 hours. Each
 * of our worker pools holds a session advisory lock named after its pool id on a
 * dedicated connection, which PostgreSQL drops the moment the process dies. A sweeper
 * unlocks the jobs of any pool whose advisory lock is free (its process is gone), through
 * graphile-worker's public `jobs` view and `force_unlock_workers` function.
 * The probe takes and gives back each lock in one statement (CASE fixes the order), so a
 * pooled connection never keeps one.
 */
async function sweepDeadPools(sql: Sql, logger: Logger, ownPools: readonly string[]): Promise<number> {
  // This process's own pools are alive by definition, whatever the probe says: after a
  // PostgreSQL restart the probe may run before their locks are taken again (a sweep whose
  // check of its own locks passed just before the restart), and would free their jobs.
  const rows = await sql<{ locked_by: string }[]>`
    SELECT locked_by FROM (
      SELECT DISTINCT locked_by FROM graphile_worker.jobs
      WHERE locked_by IS NOT NULL AND locked_at < now() - interval '2 seconds' AND locked_by <> ALL(${ownPools as string[]}::text[])
    ) held
    WHERE CASE WHEN pg_try_advisory_lock(hashtextextended(${LOCK_PREFIX} || locked_by, 0))
      THEN pg_advisory_unlock(hashtextextended(${LOCK_PREFIX} || locked_by, 0)) ELSE false END`;
  const dead = rows.map((r) => r.locked_by);
  if (dead.length > 0) {
    await sql`SELECT graphile_worker.force_unlock_workers(${dead}::text[])`;
    logger.warn({ pools: dead }, 'released webhook jobs held by workers that died');
  }
  return dead.length;
}

interface LivenessLocks {
  /** This process's live pools. */
  readonly pools: ReadonlySet<string>;
  add(poolId: string): void;
  remove(poolId: string): void;
  /** Takes what is missing on the current session; true once every pool's lock is held. */
  sync(): Promise<boolean>;
  end(): Promise<void>;
}

/**
 * The liveness locks of this process's pools, on a session of their own. A session can end
 * under a live process (a PostgreSQL restart, idle_session_timeout, pg_terminate_backend),
 * and its locks with it: sync() notices a new session (another backend pid) and takes
 * them all again. Not a reserved connection of the shared pool: postgres.js 3.4 never
 * settles a query sent on a reserved connection the server has closed (and throws from a
 * timer), and its release() hands the dead connection back to the pool. A pool of one
 * reconnects by itself, to a new session.
 */
function livenessLocks(databaseUrl: string, logger: Logger): LivenessLocks {
  const sql = postgres(databaseUrl, {
    max: 1,
    // Never closed by us while the process lives: closing it frees the locks.
    idle_timeout: 0,
    max_lifetime: null,
    connect_timeout: 10,
    // postgres.js waits up to 20 s between reconnects after repeated failures; the locks
    // should be back as soon as the server is.
    backoff: () => 0.5,
    onnotice: () => {},
    connection: { application_name: 'ihf-webhook-liveness' },
  });
  const pools = new Set<string>();
  /** The pools whose lock `session` holds. */
  const locked = new Set<string>();
  let session: number | undefined;
  let ended = false;
  // One statement at a time, so `locked` always describes `session`.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn);
    queue = next.catch(() => {});
    return next;
  };

  const sync = () =>
    serially(async () => {
      if (ended) return false;
      const [now] = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      if (now!.pid !== session) {
        if (session !== undefined) logger.warn({ pid: now!.pid }, 'webhook worker liveness session was lost; taking its locks again');
        session = now!.pid;
        locked.clear();
      }
      const take = [...pools].filter((p) => !locked.has(p));
      const give = [...locked].filter((p) => !pools.has(p));
      if (take.length > 0 || give.length > 0) {
        // Never waits for a lock: one held elsewhere for a moment (a sweeper's probe) is
        // taken at the next check, and meanwhile this connection is not stuck behind it.
        const [done] = await sql<{ pid: number; took: string[] }[]>`
          SELECT pg_backend_pid() AS pid,
            (SELECT coalesce(array_agg(p), '{}') FROM unnest(${take}::text[]) p
              WHERE pg_try_advisory_lock(hashtextextended(${LOCK_PREFIX} || p, 0))) AS took,
            (SELECT count(pg_advisory_unlock(hashtextextended(${LOCK_PREFIX} || p, 0))) FROM unnest(${give}::text[]) p) AS gave`;
        if (done!.pid !== session) {
          // Lost in between: this new session holds only what was just taken.
          session = done!.pid;
          locked.clear();
        }
        for (const p of done!.took) locked.add(p);
        for (const p of give) locked.delete(p);
      }
      return [...pools].every((p) => locked.has(p));
    });
  const syncLogged = () =>
    void sync().catch((err: unknown) => logger.error({ err }, 'could not take the webhook worker liveness locks'));

  return {
    sync,
    pools,
    add(poolId) {
      pools.add(poolId);
      syncLogged();
    },
    // An ended pool's jobs still locked in the queue (e.g. their completion failed) are then
    // the sweepers' to release.
    remove(poolId) {
      pools.delete(poolId);
      syncLogged();
    },
    async end() {
      await serially(async () => {
        ended = true;
        await sql.end({ timeout: 2 });
      });
    },
  };
}

/** Runs fn unless its previous run is still going (ticks of a timer during an outage). */
function whenIdle(fn: () => Promise<unknown>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn().then(() => undefined).finally(() => (running = undefined)));
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
  const locks = livenessLocks(opts.databaseUrl, logger);
  const agents = createSenderAgents(Math.max(16, concurrency * 2));
  const engine = createDeliveryEngine({
    sql,
    secretBox: createSecretBox(config.IHF_SECRET_KEY),
    logger,
    retrySchedule: config.WEBHOOK_RETRY_SCHEDULE,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    lookup: opts.lookup,
    agents,
    maxRequests: concurrency,
    hotSql,
    maxUnlogged: concurrency * SUCCESSES_WAITING_PER_REQUEST_SLOT,
  });

  // A graceful stop waits for attempts on the wire to finish rather than failing their jobs
  // (which would send them again once their lease is over).
  const stopTimeoutMs = config.WEBHOOK_TIMEOUT_MS + STOP_MARGIN_MS;
  const runner = (jobs: number, task: string) =>
    startQueueRunner({
      databaseUrl: opts.databaseUrl,
      concurrency: jobs,
      pollIntervalMs: opts.pollIntervalMs,
      logger,
      stopTimeoutMs,
      onPool: (poolId) => locks.add(poolId),
      onPoolEnd: (poolId) => locks.remove(poolId),
      tasks: {
        [task]: async (payload) => {
          const job = payload as AttemptPayload | BatchPayload;
          if (!Array.isArray(job)) return void (await engine.deliver(job.m, job.a));
          // A batch job: one promise per message, so graphile-worker re-queues only the failed ones.
          return engine.deliverBatch(job.map(({ m, a }) => ({ messageId: m, attempt: a }))).map((attempt) => {
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
  const checkLocks = whenIdle(() =>
    locks.sync().catch((err: unknown) => logger.warn({ err }, 'webhook worker liveness check failed; retrying')),
  );
  const liveness = setInterval(() => void checkLocks(), LIVENESS_CHECK_MS);
  liveness.unref();
  const sweep = whenIdle(async () => {
    try {
      // Once this worker's own locks are held (it takes them first); its own pools are never swept.
      if (await locks.sync()) await sweepDeadPools(sql, logger, [...locks.pools]);
    } catch (err) {
      logger.error({ err }, 'webhook sweeper failed');
    }
  });
  await sweep(); // takes the first locks too
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
        clearInterval(liveness);
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
        await Promise.race([stopping, new Promise((r) => setTimeout(r, stopTimeoutMs + STOP_MARGIN_MS).unref())]);
        await Promise.race([Promise.all(queues.map((q) => q.pool.end())), new Promise((r) => setTimeout(r, 1000).unref())]);
        agents.destroy();
        await locks.end();
        await sql.end({ timeout: 2 });
        await hotSql.end({ timeout: 2 });
      })();
      return stopped;
    },
  };
}
