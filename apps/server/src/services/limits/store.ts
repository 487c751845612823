import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../logger.js';

/**
 * Atomic counters with a time to live, in the process or in Redis. The limiter decides
 * admission from the count each increment returns, so one store shared by every replica
 * (Redis) makes the limits exact across replicas: each increment sees a distinct count.
 */
export interface CounterStore {
  /** Adds `by` (negative to give back) and answers the new count and ms until the window ends. */
  add(key: string, by: number, windowSeconds: number): Promise<Count>;
  get(key: string): Promise<Count | null>;
  readonly kind: 'memory' | 'redis';
  /** False while Redis is unreachable and counting has fallen back to this process. */
  healthy(): boolean;
  /** Resolves true once the store can count (Redis connected), false after timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface Count {
  value: number;
  msBeforeReset: number;
}

/*
 * rate-limiter-flexible refuses once a key passes `points`; the limits here differ per
 * consumer, so the library's own ceiling is set out of reach and the limiter compares the
 * returned count with the consumer's limit itself.
 */
const UNREACHABLE = 2 ** 31 - 1;
const KEY_PREFIX = 'ihf:rl';

function toCount(res: RateLimiterRes): Count {
  return { value: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) };
}

async function addTo(limiter: RateLimiterAbstract, key: string, by: number, windowSeconds: number): Promise<Count> {
  const options = { customDuration: windowSeconds };
  try {
    const res = by >= 0 ? await limiter.consume(key, by, options) : await limiter.reward(key, -by, options);
    return toCount(res);
  } catch (err) {
    // The library rejects with a RateLimiterRes past `points`; still a count.
    if (err instanceof RateLimiterRes) return toCount(err);
    throw err;
  }
}

export function createMemoryStore(): CounterStore {
  const limiter = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: UNREACHABLE, duration: 60 });
  return {
    kind: 'memory',
    add: (key, by, windowSeconds) => addTo(limiter, key, by, windowSeconds),
    async get(key) {
      const res = await limiter.get(key);
      return res ? toCount(res) : null;
    },
    healthy: () => true,
    ready: async () => true,
    async close() {},
  };
}

/**
 * Redis counters, insured by in-process ones: while Redis is down each replica counts
 * alone (limits hold per replica, not across them), the outage is logged once, and
 * counting returns to Redis as soon as the client reconnects.
 */
export function createRedisStore(url: string, logger: Logger, opts: { commandTimeoutMs?: number } = {}): CounterStore {
  const client = new Redis(url, {
    // Fail fast instead of queueing while disconnected, so requests use the insurance.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Only for a Redis that is connected but hung: an outage shows as a lost connection
    // and falls back at once. A short timeout would send slow-but-working commands to the
    // per-replica insurance and break exactness across replicas under load.
    commandTimeout: opts.commandTimeoutMs ?? 2000,
    connectTimeout: 1000,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    // Commands issued in the same tick (this request's counters and other requests') go out
    // in one write.
    enableAutoPipelining: true,
    lazyConnect: false,
  });
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message }, 'Redis unreachable: rate limits fall back to in-process counters');
    down = true;
  });
  client.on('close', () => {
    if (!down) logger.warn('Redis connection closed: rate limits fall back to in-process counters');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info('Redis reachable again: rate limits are shared across replicas again');
    down = false;
  });

  const insurance = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: UNREACHABLE, duration: 60 });
  const limiter = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: KEY_PREFIX,
    points: UNREACHABLE,
    duration: 60,
    rejectIfRedisNotReady: true,
    insuranceLimiter: insurance,
  });
  return {
    kind: 'redis',
    add: (key, by, windowSeconds) => addTo(limiter, key, by, windowSeconds),
    async get(key) {
      const res = await limiter.get(key);
      return res ? toCount(res) : null;
    },
    healthy: () => client.status === 'ready',
    ready(timeoutMs) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      });
    },
    async close() {
      client.disconnect();
    },
  };
}
