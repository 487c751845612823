import type { Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import type { Config } from '../../config.js';
import { createSql } from '../../db/client.js';
import { createDeliveryEngine } from '../delivery/engine.js';
import { createSenderAgents } from '../delivery/sender.js';
import type { LookupFn } from '../delivery/ssrf.js';
import { DELIVER_BATCH_TASK, DELIVER_TASK, type AttemptPayload, type BatchPayload } from '../jobs.js';
import { createSecretBox } from '../../lib/secret-box.js';
import { createAttemptTelemetry } from '../../observability/attempt-telemetry.js';
import { pgPools, postgresPool, watchPool } from '../../observability/pools.js';
import { createWebhookMetrics } from '../../observability/webhook-metrics.js';
import { createLiveness } from './liveness.js';
import { startQueueRunner } from './queue-runner.js';

export interface WebhookWorkerOptions {
  config: Config;
  databaseUrl: string;
  logger: Logger;
  concurrency?: number;
  lookup?: LookupFn;
  pollIntervalMs?: number;
  /** How often to look for jobs held by dead workers. */
  sweepIntervalMs?: number;
  /** Where the worker's series go (the API's registry in IHF_ROLE=server); one of its own when omitted. One worker per registry. */
  registry?: Registry;
  /** Set only when tracing is on: then each attempt gets a span and sends its traceparent. */
  tracer?: Tracer;
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
 * not need a slot; with one job per slot the slots would sit idle.
 */
export const ATTEMPTS_PER_REQUEST_SLOT = 4;
/**
 * Delivered attempts per request slot that may wait for their batched log before no
 * request starts: enough for one log batch being written while the next fills at full
 * speed. Attempts sent and not yet committed, what one crash can send twice, are at most
 * the slots plus these.
 */
export const SUCCESSES_WAITING_PER_REQUEST_SLOT = 12;
/**
 * Batch jobs (a fan-out's first attempts, up to 100 messages each) running at once. One
 * alone can fill every request slot; each more only holds messages back from the other
 * workers, which find the queue empty meanwhile.
 */
export const BATCH_JOBS = 4;

/** postgres.js passes a URL's unknown query parameters to PostgreSQL as session settings. */
function withSessionSettings(databaseUrl: string, settings: Record<string, string>): string {
  const url = new URL(databaseUrl);
  for (const [name, value] of Object.entries(settings)) url.searchParams.set(name, value);
  return url.toString();
}

/** The webhook worker: two supervised queue runners feeding one delivery engine, and the worker's liveness. */
export async function startWebhookWorker(opts: WebhookWorkerOptions): Promise<WebhookWorker> {
  const { config, logger } = opts;
  if (!config.IHF_SECRET_KEY) throw new Error('IHF_SECRET_KEY is required to run the webhook worker');
  /** Requests in flight at once. */
  const concurrency = opts.concurrency ?? config.WEBHOOK_CONCURRENCY;
  // The engine's statements are planned on each run, with the tables' sizes of the moment:
  // a plan kept from when a day's partition was nearly empty (a fresh database, the day's
  // first minutes) scanned or hashed the partition whole on every batch as it filled.
  const engineUrl = withSessionSettings(opts.databaseUrl, { plan_cache_mode: 'force_custom_plan' });
  const sql = createSql(engineUrl, {
    max: Math.max(4, Math.ceil(concurrency / 2) + 2),
    applicationName: 'ihf-webhook-worker',
  });
  // The hot path (claims, logged successes) has a session of its own, so a tick's statements
  // leave in one write. synchronous_commit=off: a commit a PostgreSQL crash loses leaves its
  // attempt pending with its job queued, so it is sent again, never lost (docs/webhooks.md).
  const hotSql = createSql(withSessionSettings(engineUrl, { synchronous_commit: 'off' }), {
    max: 1,
    applicationName: 'ihf-webhook-worker',
  });
  const liveness = createLiveness({ databaseUrl: opts.databaseUrl, sql, logger, sweepIntervalMs: opts.sweepIntervalMs });
  const agents = createSenderAgents(Math.max(16, concurrency * 2));
  const registry = opts.registry ?? new Registry();
  const telemetry = createAttemptTelemetry(createWebhookMetrics(registry, sql), opts.tracer);
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
    telemetry,
  });

  // A graceful stop waits for attempts on the wire to finish rather than failing their jobs
  // (which would send them again once their lease is over).
  const stopTimeoutMs = config.WEBHOOK_TIMEOUT_MS + STOP_MARGIN_MS;
  const runner = (jobs: number, task: string, run: (payload: unknown) => Promise<void | unknown[]>) =>
    startQueueRunner({
      databaseUrl: opts.databaseUrl,
      concurrency: jobs,
      pollIntervalMs: opts.pollIntervalMs,
      logger,
      stopTimeoutMs,
      onPool: (poolId) => liveness.add(poolId),
      onPoolEnd: (poolId) => liveness.remove(poolId),
      tasks: { [task]: run },
    });
  const deliverOne = async (payload: unknown) => {
    const job = payload as AttemptPayload;
    await engine.deliver(job.m, job.a);
  };
  // A batch job answers one promise per message, so graphile-worker re-queues only the failed ones.
  const deliverBatch = async (payload: unknown) =>
    engine.deliverBatch((payload as BatchPayload).map(({ m, a }) => ({ messageId: m, attempt: a }))).map((attempt) => {
      attempt.catch(() => {}); // settled by graphile-worker; this only marks it handled meanwhile
      return attempt;
    });
  // Two queue runners, each with its own job slots: single attempts get several per
  // request slot (a retry to a slow receiver holds its job slot for the whole timeout),
  // batch jobs a few.
  const queues = [
    await runner(concurrency * ATTEMPTS_PER_REQUEST_SLOT, DELIVER_TASK, deliverOne),
    await runner(BATCH_JOBS, DELIVER_BATCH_TASK, deliverBatch),
  ];
  await liveness.start();
  watchPool(registry, 'worker', postgresPool(sql));
  watchPool(registry, 'worker-hot', postgresPool(hotSql));
  watchPool(registry, 'worker-queue', pgPools(queues.map((q) => q.pool)));

  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        liveness.stopChecks();
        // Attempts in flight finish and are logged; those not started (and those of jobs
        // starting now) are handed back runnable at once. Bounded: with the database gone,
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
        await liveness.end();
        await sql.end({ timeout: 2 });
        await hotSql.end({ timeout: 2 });
      })();
      return stopped;
    },
  };
}

/** IHF_ROLE=worker: only the webhook worker, drained on SIGTERM/SIGINT. */
export async function runWorkerOnly(opts: {
  config: Config;
  databaseUrl: string;
  logger: Logger;
  onStopped?: () => Promise<void>;
  registry?: Registry;
  tracer?: Tracer;
}): Promise<void> {
  const { config, databaseUrl, logger, registry, tracer } = opts;
  const worker = await startWebhookWorker({ config, databaseUrl, logger, registry, tracer });
  opts.logger.info({ concurrency: opts.config.WEBHOOK_CONCURRENCY }, 'webhook worker running');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info({ signal }, 'webhook worker draining');
    await worker.stop();
    await opts.onStopped?.();
    opts.logger.info('webhook worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
