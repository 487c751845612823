import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Sql } from '../../db/client.js';

/**
 * Worker liveness and the dead-pool sweeper. graphile-worker keeps a dead worker's jobs
 * locked for 4 hours. Each of our worker pools holds a session advisory lock named after
 * its pool id, which PostgreSQL drops the moment the process dies; a sweeper in every
 * worker unlocks the jobs of any pool whose lock is free (its process is gone), through
 * graphile-worker's public `jobs` view and `force_unlock_workers` function.
 */

const LOCK_PREFIX = 'ihf-webhook-worker:';
/**
 * How often the liveness session is checked: well under the sweepers' interval, so locks
 * lost with a session (a restart) are back before most sweepers look.
 */
const LIVENESS_CHECK_MS = 1000;
const SWEEP_INTERVAL_MS = 5000;

/**
 * Unlocks the jobs of pools whose liveness lock is free. The probe takes and gives back
 * each lock in one statement (CASE fixes the order), so a pooled connection never keeps
 * one. This process's own pools are never swept: after a PostgreSQL restart the probe may
 * run before their locks are taken again.
 */
async function sweepDeadPools(sql: Sql, logger: Logger, ownPools: readonly string[]): Promise<number> {
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
 * and its locks with it: sync() notices a new session (another backend pid) and takes them
 * all again. A pool of one rather than a reserved connection of the shared pool: a pool
 * reconnects by itself, while postgres.js 3.4 never settles a query sent on a reserved
 * connection the server has closed.
 */
function livenessLocks(databaseUrl: string, logger: Logger): LivenessLocks {
  const sql = postgres(databaseUrl, {
    max: 1,
    // Never closed by us while the process lives: closing it frees the locks.
    idle_timeout: 0,
    max_lifetime: null,
    connect_timeout: 10,
    // Not postgres.js's growing backoff: the locks should be back as soon as the server is.
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

export interface Liveness {
  /** A pool of this process started (graphile-worker's pool id): hold its lock. */
  add(poolId: string): void;
  /** A pool of this process ended: give its lock up. */
  remove(poolId: string): void;
  /** Checks the locks every second and sweeps dead pools; resolves after the first sweep (which takes the first locks). */
  start(): Promise<void>;
  /** Stops the checks and sweeps; the locks stay held until end(). */
  stopChecks(): void;
  /** Gives up the locks: this process's jobs become the other sweepers' to release. */
  end(): Promise<void>;
}

export function createLiveness(opts: { databaseUrl: string; sql: Sql; logger: Logger; sweepIntervalMs?: number }): Liveness {
  const { logger } = opts;
  const locks = livenessLocks(opts.databaseUrl, logger);
  const checkLocks = whenIdle(() =>
    locks.sync().catch((err: unknown) => logger.warn({ err }, 'webhook worker liveness check failed; retrying')),
  );
  const sweep = whenIdle(async () => {
    try {
      // Once this worker's own locks are held (it takes them first).
      if (await locks.sync()) await sweepDeadPools(opts.sql, logger, [...locks.pools]);
    } catch (err) {
      logger.error({ err }, 'webhook sweeper failed');
    }
  });
  const timers: NodeJS.Timeout[] = [];
  return {
    add: (poolId) => locks.add(poolId),
    remove: (poolId) => locks.remove(poolId),
    async start() {
      timers.push(setInterval(() => void checkLocks(), LIVENESS_CHECK_MS).unref());
      await sweep();
      timers.push(setInterval(() => void sweep(), opts.sweepIntervalMs ?? SWEEP_INTERVAL_MS).unref());
    },
    stopChecks() {
      for (const timer of timers) clearInterval(timer);
    },
    end: () => locks.end(),
  };
}
