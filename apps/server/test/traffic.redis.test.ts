// Limits exact across two replicas sharing one Redis, and the API staying up while Redis
// is stopped and restarted under it. Each test file runs its own redis-server.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type CounterStore } from '../src/services/limits/store.js';
import { createTestDatabase, readProblem, startTestServer, until, type TestDatabase, type TestServer } from './support/harness.js';
import { hasRedisServer, startRedis, type RedisProcess } from './support/redis-process.js';

const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length;

describe.skipIf(!hasRedisServer)('two replicas sharing Redis', () => {
  let redis: RedisProcess;
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    db = await createTestDatabase();
    const env = { REDIS_URL: redis.url, BURST_THRESHOLD: '100000', BURST_WINDOW_SECONDS: '30' };
    a = await startTestServer({ env, database: db });
    b = await startTestServer({ env, database: db });
    expect(await a.services.traffic.ready()).toBe(true);
    expect(await b.services.traffic.ready()).toBe(true);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    await redis?.stop();
  });

  it('never admit more than rate_limit_per_minute together, and admit exactly that many', async () => {
    for (const limit of [1, 17, 60]) {
      const { key } = await a.consumerWithKey(['annotations:read'], { rate_limit_per_minute: limit });
      const sent = limit * 3 + 5;
      const responses = await Promise.all(
        Array.from({ length: sent }, (_, i) => (i % 2 ? a : b).as(key, 'GET', '/api/v2/me')),
      );
      expect(count(responses, 200)).toBe(limit);
      expect(count(responses, 429)).toBe(sent - limit);
    }
  });

  it('share the daily quota and the burst rule exactly', async () => {
    const quota = await a.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 10_000, quota_per_day: 23 });
    const q = await Promise.all(Array.from({ length: 70 }, (_, i) => (i % 2 ? a : b).as(quota.key, 'GET', '/api/v2/me')));
    expect(count(q, 200)).toBe(23);
    expect((await readProblem(q.find((r) => r.status === 429)!)).code).toBe('quota_exceeded');

    const burst = await a.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 10_000, burst_threshold: 9 });
    const r = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).as(burst.key, 'GET', '/api/v2/me')));
    expect(count(r, 200)).toBe(9);
  });

  it('agree on the remaining count in the headers', async () => {
    const { key } = await a.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 10 });
    const first = await a.as(key, 'GET', '/api/v2/me');
    const second = await b.as(key, 'GET', '/api/v2/me');
    expect(first.headers.get('ratelimit')).toMatch(/"minute";r=9;/);
    expect(second.headers.get('ratelimit')).toMatch(/"minute";r=8;/);
  });
});

describe.skipIf(!hasRedisServer)('Redis stopped and restarted while the API serves', () => {
  let redis: RedisProcess;
  let t: TestServer;
  beforeAll(async () => {
    redis = await startRedis();
    t = await startTestServer({ env: { REDIS_URL: redis.url, BURST_THRESHOLD: '100000', BURST_WINDOW_SECONDS: '30' } });
    expect(await t.services.traffic.ready()).toBe(true);
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('keeps answering and limiting on in-process counters, then goes back to Redis', async () => {
    const store = t.services.traffic.limiter.store;
    const { key, consumerId } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 1000 });
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    const inspect = redis.client();
    expect(await inspect.exists(`ihf:rl:m:${consumerId}`)).toBe(1);

    await redis.stop();
    await until('the client to notice', () => !store.healthy());
    const started = Date.now();
    const during = await Promise.all(Array.from({ length: 20 }, () => t.as(key, 'GET', '/api/v2/me')));
    expect(count(during, 200)).toBe(20);
    expect(during.every((r) => r.headers.get('ratelimit')?.includes('"minute";r='))).toBe(true);
    // Fallback is immediate, not a wait for a Redis timeout per request.
    expect(Date.now() - started).toBeLessThan(5000);

    // The limits still hold during the outage (per replica).
    const limited = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 4 });
    const capped = await Promise.all(Array.from({ length: 7 }, () => t.as(limited.key, 'GET', '/api/v2/me')));
    expect(count(capped, 200)).toBe(4);
    expect(count(capped, 429)).toBe(3);

    await redis.start();
    await until('the client to reconnect', () => store.healthy(), 15_000);
    const after = await t.as(key, 'GET', '/api/v2/me');
    expect(after.status).toBe(200);
    const again = redis.client();
    // Counting is back in (the restarted, empty) Redis.
    expect(Number(await again.get(`ihf:rl:m:${consumerId}`))).toBe(1);
  });
});

/** One request's count on one counter of a minute. */
const countOne = async (store: CounterStore, key: string) => (await store.add([{ key, by: 1, windowSeconds: 60 }]))[0]!;

describe.skipIf(!hasRedisServer)('the Redis store on its own', () => {
  it('logs the outage once and the recovery once, counting in-process in between', async () => {
    const redis = await startRedis();
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const store = createRedisStore(redis.url, logger);
    try {
      expect(await store.ready(5000)).toBe(true);
      expect((await countOne(store, 'k:outage')).value).toBe(1);
      await redis.stop();
      await until('the outage to be seen', () => !store.healthy());
      for (let i = 0; i < 3; i++) await countOne(store, 'k:outage'); // served by the insurance
      expect(lines.filter((l) => l.msg.startsWith('Redis unreachable') || l.msg.startsWith('Redis connection closed'))).toHaveLength(1);
      expect(lines[0]!.level).toBe(40);
      await redis.start();
      await until('the client to reconnect', () => store.healthy(), 15_000);
      expect(lines.filter((l) => l.msg.startsWith('Redis reachable again'))).toHaveLength(1);
      expect((await countOne(store, 'k:recovered')).value).toBe(1);
      expect(await redis.client().get('ihf:rl:k:recovered')).toBe('1');
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!hasRedisServer)('counting in Redis', () => {
  it('adds to every counter of a request in one command, each with its own window', async () => {
    const redis = await startRedis();
    const store = createRedisStore(redis.url, pino({ level: 'silent' }));
    try {
      expect(await store.ready(5000)).toBe(true);
      const adds = [
        { key: 'c:burst', by: 1, windowSeconds: 10 },
        { key: 'c:minute', by: 1, windowSeconds: 60 },
        { key: 'c:day', by: 1, windowSeconds: 3600 },
      ];
      const first = await store.add(adds);
      expect(first.map((c) => c.value)).toEqual([1, 1, 1]);
      expect(first[0]!.msBeforeReset).toBeGreaterThan(9_000);
      expect(first[0]!.msBeforeReset).toBeLessThanOrEqual(10_000);
      expect(first[2]!.msBeforeReset).toBeGreaterThan(3_590_000);
      const second = await store.add([...adds, { key: 'c:day', by: 40, windowSeconds: 3600 }]);
      expect(second.map((c) => c.value)).toEqual([2, 2, 2, 42]);
      // A give-back keeps the window running; it does not start a new one.
      const back = await store.add(adds.map((a) => ({ ...a, by: -1 })));
      expect(back.map((c) => c.value)).toEqual([1, 1, 41]);
      const client = redis.client();
      expect(Number(await client.pttl('ihf:rl:c:minute'))).toBeGreaterThan(55_000);
      expect(await client.get('ihf:rl:c:day')).toBe('41');
      expect(await store.get('c:day')).toMatchObject({ value: 41 });
      expect(await store.get('c:never')).toBeNull();
    } finally {
      await store.close();
      await redis.stop();
    }
  });
  it('counts the requests of one turn of the event loop in one command, each with its own answer', async () => {
    const redis = await startRedis();
    const store = createRedisStore(redis.url, pino({ level: 'silent' }));
    const client = redis.client();
    const scriptCalls = async () => {
      const stats = String(await client.info('commandstats'));
      return [...stats.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    };
    try {
      expect(await store.ready(5000)).toBe(true);
      await store.add([{ key: 't:warm', by: 1, windowSeconds: 60 }]); // loads the script
      const before = await scriptCalls();
      const requests = Array.from({ length: 25 }, (_, i) => [
        { key: 't:minute', by: 1, windowSeconds: 60 },
        { key: `t:own:${i}`, by: i + 1, windowSeconds: 60 },
      ]);
      const answers = await Promise.all(requests.map((adds) => store.add(adds)));
      expect(await scriptCalls()).toBe(before + 1);
      // In the order the requests asked, as if one after another.
      expect(answers.map((a) => a[0]!.value)).toEqual(requests.map((_, i) => i + 1));
      expect(answers.map((a) => a[1]!.value)).toEqual(requests.map((_, i) => i + 1));
      expect(await client.get('ihf:rl:t:minute')).toBe('25');
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!hasRedisServer)('a Redis that is connected but hung', () => {
  it('is dropped by the watchdog: waiting counts go to the insurance, and Redis counts again once it answers', async () => {
    const redis = await startRedis();
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const store = createRedisStore(redis.url, logger, { commandTimeoutMs: 400, watchdogIntervalMs: 100 });
    try {
      expect(await store.ready(5000)).toBe(true);
      expect((await countOne(store, 'k:hung')).value).toBe(1);
      // Every client's commands (ours, and a new connection's handshake) wait for 2.5 s.
      await redis.client().call('CLIENT', 'PAUSE', '2500', 'ALL');
      const started = Date.now();
      const during = await countOne(store, 'k:hung'); // waits for the watchdog, then the insurance counts it
      expect(during.value).toBe(1);
      expect(Date.now() - started).toBeLessThan(1500);
      const next = Date.now();
      await countOne(store, 'k:hung'); // the new connection is not ready: straight to the insurance
      expect(Date.now() - next).toBeLessThan(100);
      expect(lines.filter((l) => l.msg.startsWith('Redis not answering'))).toHaveLength(1);

      await until('Redis to answer again', () => store.healthy(), 10_000);
      expect(lines.filter((l) => l.msg.startsWith('Redis reachable again'))).toHaveLength(1);
      expect((await countOne(store, 'k:after-hang')).value).toBe(1);
      expect(await redis.client().get('ihf:rl:k:after-hang')).toBe('1');
    } finally {
      await store.close();
      await redis.stop();
    }
  });
});

describe.skipIf(!hasRedisServer)('closing the Redis store while Redis is hung', () => {
  it('drops both the hung connection and its replacement', async () => {
    const redis = await startRedis();
    const store = createRedisStore(redis.url, pino({ level: 'silent' }), { commandTimeoutMs: 200, watchdogIntervalMs: 50 });
    try {
      expect(await store.ready(5000)).toBe(true);
      await redis.client().call('CLIENT', 'PAUSE', '2000', 'ALL');
      await until('the watchdog to drop the connection', () => !store.healthy(), 2000);
      await store.close();
      expect(store.healthy()).toBe(false);
    } finally {
      await redis.stop();
    }
  });
});
