import DataLoader from 'dataloader';
import { createClient, defineScript, type CommandParser } from 'redis';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../../logger.js';

/**
 * Atomic counters with a time to live. Admission is decided from the count each increment
 * returns, so one Redis shared by every replica keeps the limits exact across replicas.
 */
export interface CounterStore {
  /**
   * Adds each `by` (negative to give back) to its counter, all in one step, and answers the
   * new counts and the ms until each window ends, in the same order.
   */
  add(adds: readonly CounterAdd[]): Promise<Count[]>;
  get(key: string): Promise<Count | null>;
  readonly kind: 'memory' | 'redis';
  /** False while Redis is unreachable and counting has fallen back to this process. */
  healthy(): boolean;
  /** Resolves true once the store can count (Redis connected), false after timeoutMs. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface CounterAdd {
  key: string;
  by: number;
  /** The counter's life, from its first add. */
  windowSeconds: number;
}

export interface Count {
  value: number;
  msBeforeReset: number;
}

// Limits differ per consumer, so the library's own ceiling is out of reach and the
// limiter compares each returned count with the consumer's limit.
const UNREACHABLE = 2 ** 31 - 1;
const KEY_PREFIX = 'ihf:rl';
/** Keeps one script's run (which Redis serves alone) well under a millisecond. */
const MAX_REQUESTS_PER_SCRIPT = 100;

function toCount(res: RateLimiterRes): Count {
  return { value: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) };
}

async function addTo(limiter: RateLimiterMemory, { key, by, windowSeconds }: CounterAdd): Promise<Count> {
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

async function countIn(limiter: RateLimiterMemory, key: string): Promise<Count | null> {
  const res = await limiter.get(key);
  return res ? toCount(res) : null;
}

const inProcess = () => new RateLimiterMemory({ keyPrefix: KEY_PREFIX, points: UNREACHABLE, duration: 60 });
const addAllTo = (limiter: RateLimiterMemory, adds: readonly CounterAdd[]) => Promise.all(adds.map((add) => addTo(limiter, add)));

/**
 * rate-limiter-flexible's counting step (start the window if new, add, read its life) for
 * every counter of the requests of one turn of the event loop in one script: one Redis
 * command for them all instead of one EVAL of the whole script text per counter. Keys and
 * values are the library's, so both count alike.
 */
const ADD_SCRIPT = defineScript({
  SCRIPT: `local out = {}
for i, key in ipairs(KEYS) do
  local by = tonumber(ARGV[2 * i - 1])
  local window = tonumber(ARGV[2 * i])
  local ttl = redis.call('pttl', key)
  local value
  if ttl == -2 then
    redis.call('set', key, by, 'EX', window)
    value = by
    ttl = 1000 * window
  else
    value = redis.call('incrby', key, by)
    if ttl == -1 then
      redis.call('expire', key, window)
      ttl = 1000 * window
    end
  end
  out[2 * i - 1] = value
  out[2 * i] = ttl
end
return out`,
  parseCommand(parser: CommandParser, adds: readonly CounterAdd[]) {
    parser.pushKeysLength(adds.map((add) => `${KEY_PREFIX}:${add.key}`));
    for (const add of adds) parser.push(String(add.by), String(add.windowSeconds));
  },
  transformReply: (reply: number[]): Count[] => {
    const counts: Count[] = [];
    for (let i = 0; i < reply.length; i += 2) counts.push({ value: reply[i]!, msBeforeReset: Math.max(0, reply[i + 1]!) });
    return counts;
  },
});

export function createMemoryStore(): CounterStore {
  const limiter = inProcess();
  return {
    kind: 'memory',
    add: (adds) => addAllTo(limiter, adds),
    get: (key) => countIn(limiter, key),
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
  const insurance = inProcess();
  let down = false;
  let closed = false;

  const connect = () =>
    createClient({
      url,
      scripts: { addCounters: ADD_SCRIPT },
      // Fail fast instead of queueing while disconnected, so requests use the insurance.
      disableOfflineQueue: true,
      // 5 s: under CPU load at start-up (a container starting) 1 s could pass before a loopback
      // connect completed. Requests never wait on it: they use the insurance while it connects.
      socket: { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 2000) },
    });
  type Connection = ReturnType<typeof connect>;
  let current: Connection;
  /** The replacement for a hung connection, until Redis has answered on it. */
  let probation: Connection | undefined;
  const drop = (conn: Connection | undefined) => {
    if (!conn?.isOpen) return;
    conn.destroy();
  };

  const serving = (conn: Connection) => {
    if (closed || current !== conn) return;
    if (down) logger.info('Redis reachable again: rate limits are shared across replicas again');
    down = false;
  };

  /** A connection; `replacing`: one that replaces a hung one, served from once Redis answers on it. */
  const open = (replacing: boolean): Connection => {
    const conn = connect();
    conn.on('error', (err: Error) => {
      if (!down && !closed) logger.warn({ err: err.message }, 'Redis unreachable: rate limits fall back to in-process counters');
      down = true;
    });
    conn.on('ready', () => {
      if (current === conn) return serving(conn);
      if (!replacing) return;
      // A socket that connects is not yet a Redis that answers: take over on the first reply.
      conn.ping().then(
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
    conn.connect().catch(() => {});
    return conn;
  };
  current = open(false);

  let pinging = false;
  const watchdog = setInterval(() => {
    const conn = current;
    if (pinging || !conn.isReady) return;
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
    conn
      .ping()
      .catch(() => {})
      .finally(() => {
        clearTimeout(hung);
        pinging = false;
      });
  }, opts.watchdogIntervalMs ?? 1000);
  watchdog.unref();

  // The requests that count in one turn of the event loop share one script call: Redis
  // runs one command instead of one a request, and answers them all at once.
  const turn = new DataLoader<readonly CounterAdd[], Count[]>(
    async (requests) => {
      const client = current;
      if (!client.isReady) throw new Error('Redis not ready');
      const counts = await client.addCounters(requests.flat());
      let next = 0;
      return requests.map((adds) => counts.slice(next, (next += adds.length)));
    },
    { cache: false, maxBatchSize: MAX_REQUESTS_PER_SCRIPT, batchScheduleFn: (run) => void setImmediate(run) },
  );

  return {
    kind: 'redis',
    // A Redis that is not ready, or fails the command, leaves the count to the insurance.
    async add(adds) {
      if (!current.isReady) return addAllTo(insurance, adds);
      try {
        return await turn.load(adds);
      } catch {
        return addAllTo(insurance, adds);
      }
    },
    async get(key) {
      const client = current;
      const stored = `${KEY_PREFIX}:${key}`;
      if (!client.isReady) return countIn(insurance, key);
      try {
        const [value, ttl] = await client.multi().get(stored).pTTL(stored).exec();
        return value === null ? null : { value: Number(value), msBeforeReset: Math.max(0, Number(ttl)) };
      } catch {
        return countIn(insurance, key);
      }
    },
    healthy: () => current.isReady,
    ready(timeoutMs) {
      const client = current;
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
