import { createClient } from 'redis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Logger } from '../../logger.js';

/**
 * Atomic counters with a time to live. Admission is decided from the count each increment
 * returns, so one Redis shared by every replica keeps the limits exact across replicas.
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

// Limits differ per consumer, so the library's own ceiling is out of reach and the
// limiter compares each returned count with the consumer's limit.
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
 * Redis counters, insured by in-process ones while Redis is down; a PING watchdog drops a
 * hung connection (docs/traffic-control.md, "Redis outage").
 */
export function createRedisStore(url: string, logger: Logger, opts: { commandTimeoutMs?: number; watchdogIntervalMs?: number } = {}): CounterStore {
  const commandTimeoutMs = opts.commandTimeoutMs ?? 2000;
  const insurance = new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: UNREACHABLE, duration: 60 });
  let down = false;
  let closed = false;

  interface Connection {
    client: ReturnType<typeof createClient>;
    limiter: RateLimiterRedis;
  }
  let current: Connection;
  /** The replacement for a hung connection, until Redis has answered on it. */
  let probation: Connection | undefined;
  const drop = (conn: Connection | undefined) => {
    if (!conn?.client.isOpen) return;
    conn.client.destroy();
  };

  const serving = (conn: Connection) => {
    if (closed || current !== conn) return;
    if (down) logger.info('Redis reachable again: rate limits are shared across replicas again');
    down = false;
  };

  /** A connection; `replacing`: one that replaces a hung one, served from once Redis answers on it. */
  const open = (replacing: boolean): Connection => {
    const client = createClient({
      url,
      // Fail fast instead of queueing while disconnected, so requests use the insurance.
      disableOfflineQueue: true,
      // 5 s: under CPU load at start-up (a container starting) 1 s could pass before a loopback
      // connect completed. Requests never wait on it: they use the insurance while it connects.
      socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 2000) },
    });
    const conn: Connection = {
      client,
      limiter: new RateLimiterRedis({
        storeClient: client,
        useRedisPackage: true,
        keyPrefix: KEY_PREFIX,
        points: UNREACHABLE,
        duration: 60,
        rejectIfRedisNotReady: true,
        insuranceLimiter: insurance,
      }),
    };
    client.on('error', (err: Error) => {
      if (!down && !closed) logger.warn({ err: err.message }, 'Redis unreachable: rate limits fall back to in-process counters');
      down = true;
    });
    client.on('ready', () => {
      if (current === conn) return serving(conn);
      if (!replacing) return;
      // A socket that connects is not yet a Redis that answers: take over on the first reply.
      client.ping().then(
        () => {
          if (closed || current === conn) return;
          current = conn;
          if (probation === conn) probation = undefined;
          serving(conn);
        },
        () => {},
      );
    });
    // Retried by reconnectStrategy; failures arrive as 'error' events.
    client.connect().catch(() => {});
    return conn;
  };
  current = open(false);

  let pinging = false;
  const watchdog = setInterval(() => {
    const conn = current;
    if (pinging || !conn.client.isReady) return;
    pinging = true;
    const hung = setTimeout(() => {
      if (closed || current !== conn) return;
      if (!down) logger.warn({ timeoutMs: commandTimeoutMs }, 'Redis not answering: rate limits fall back to in-process counters');
      down = true;
      // The dropped connection stays current (not ready: straight to the insurance) until
      // its replacement has had an answer from Redis.
      drop(conn);
      drop(probation);
      probation = open(true);
    }, commandTimeoutMs);
    conn.client
      .ping()
      .catch(() => {})
      .finally(() => {
        clearTimeout(hung);
        pinging = false;
      });
  }, opts.watchdogIntervalMs ?? 1000);
  watchdog.unref();

  return {
    kind: 'redis',
    add: (key, by, windowSeconds) => addTo(current.limiter, key, by, windowSeconds),
    async get(key) {
      const res = await current.limiter.get(key);
      return res ? toCount(res) : null;
    },
    healthy: () => current.client.isReady,
    ready(timeoutMs) {
      const { client } = current;
      if (client.isReady) return Promise.resolve(true);
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
      closed = true;
      clearInterval(watchdog);
      drop(current);
      drop(probation);
    },
  };
}
