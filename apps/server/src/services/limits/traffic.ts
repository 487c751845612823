import type { Config } from '../../config.js';
import type { RequestLogRepository } from '../../db/repositories/request-log.js';
import type { Logger } from '../../logger.js';
import { nextUtcMidnight } from '../../lib/time.js';
import { createRequestLogWriter } from '../request-log/writer.js';
import { createTrafficLimiter } from './limiter.js';
import { createMemoryStore, createRedisStore } from './store.js';

/**
 * Traffic control for one app instance: the limiter (Redis-backed when REDIS_URL is set,
 * in-process otherwise) and the batching request-log writer, with one close() that drains
 * the log and lets go of Redis.
 */
export function createTraffic(deps: { config: Config; requestLog: RequestLogRepository; logger: Logger; now: () => Date }) {
  const store = deps.config.REDIS_URL ? createRedisStore(deps.config.REDIS_URL, deps.logger) : createMemoryStore();
  const limiter = createTrafficLimiter({
    store,
    config: deps.config,
    now: deps.now,
    admittedToday: (consumerId, now) => deps.requestLog.admittedToday(consumerId, now),
  });
  const requestLog = createRequestLogWriter({ repo: deps.requestLog, logger: deps.logger, now: deps.now });
  let maintenance: NodeJS.Timeout | undefined;
  let quotaRoll: NodeJS.Timeout | undefined;

  return {
    limiter,
    requestLog,

    /** Hourly: the request log's day partitions ahead of time, and those past retention dropped. Each minute: quota_resets_at rolled over. */
    startMaintenance(): void {
      const run = () =>
        deps.requestLog
          .maintainPartitions(deps.config.REQUEST_LOG_RETENTION_DAYS)
          .then((dropped) => dropped && deps.logger.info({ dropped }, 'request log: partitions past retention dropped'))
          .catch((err: unknown) => deps.logger.error({ err }, 'request log: partition maintenance failed'));
      void run();
      maintenance = setInterval(run, 3_600_000);
      maintenance.unref();
      // The log writer keeps quota_resets_at current for consumers that make requests; this
      // catches the idle ones within a minute of midnight.
      const roll = () =>
        deps.requestLog
          .rollQuotaResets(nextUtcMidnight(deps.now()))
          .catch((err: unknown) => deps.logger.error({ err }, 'quota_resets_at roll-over failed'));
      void roll();
      quotaRoll = setInterval(roll, 60_000);
      quotaRoll.unref();
    },

    /**
     * Waits (bounded) for the shared counter store, so a replica does not start admitting
     * on in-process counters, which would not be shared with the other replicas.
     */
    async ready(timeoutMs = 3000): Promise<boolean> {
      const ok = await store.ready(timeoutMs);
      if (!ok) deps.logger.warn({ timeoutMs }, 'Redis not reachable at start: counting in-process until it is');
      return ok;
    },

    async close(): Promise<void> {
      if (maintenance) clearInterval(maintenance);
      if (quotaRoll) clearInterval(quotaRoll);
      await requestLog.close();
      await store.close();
    },
  };
}
export type Traffic = ReturnType<typeof createTraffic>;
