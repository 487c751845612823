// Rate limits, the burst rule and the daily quota, over real HTTP with the in-process store.
import { parseList as parseSfList, serializeList, type Item } from 'structured-headers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
// The injected clock: only the daily quota reads it (burst and minute windows run on real time).
let clock = new Date('2026-03-14T12:00:00.000Z');

beforeAll(async () => {
  // A long burst window so a test's requests can never straddle two of them.
  t = await startTestServer({ env: { BURST_THRESHOLD: '1000', BURST_WINDOW_SECONDS: '30' }, now: () => new Date(clock) });
});
afterAll(() => t.close());

const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();
const count = (responses: Response[], status: number) => responses.filter((r) => r.status === status).length;

function parseList(header: string | null): Record<string, Record<string, number>> {
  // `"name";a=1;b=2, "other";a=3` → { name: { a: 1, b: 2 }, other: { a: 3 } }
  const out: Record<string, Record<string, number>> = {};
  for (const member of (header ?? '').split(',')) {
    const [name, ...params] = member.trim().split(';');
    out[JSON.parse(name!) as string] = Object.fromEntries(params.map((p) => [p.split('=')[0], Number(p.split('=')[1])]));
  }
  return out;
}

describe('per-minute limit', () => {
  it('admits exactly rate_limit_per_minute requests sent at once and refuses the rest with a 429 problem', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 12 });
    const responses = await Promise.all(Array.from({ length: 20 }, () => t.as(key, 'GET', '/api/v2/me')));
    expect(count(responses, 200)).toBe(12);
    expect(count(responses, 429)).toBe(8);
    const refused = responses.find((r) => r.status === 429)!;
    const problem = await readProblem(refused);
    expect(problem).toMatchObject({ code: 'rate_limited', limit: 'minute', limit_quota: 12, limit_window_seconds: 60 });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(problem.retry_after_seconds).toBe(retryAfter);
    expect(parseList(refused.headers.get('ratelimit')).minute).toMatchObject({ r: 0 });
  });

  it('keeps refusing the next request once the limit is spent', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 3 });
    for (let i = 0; i < 3; i++) expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    const next = await t.as(key, 'GET', '/api/v2/me');
    expect(next.status).toBe(429);
    expect((await readProblem(next)).code).toBe('rate_limited');
  });

  it('counts each consumer separately', async () => {
    const a = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 2 });
    const b = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 2 });
    for (let i = 0; i < 2; i++) expect((await t.as(a.key, 'GET', '/api/v2/me')).status).toBe(200);
    expect((await t.as(a.key, 'GET', '/api/v2/me')).status).toBe(429);
    expect((await t.as(b.key, 'GET', '/api/v2/me')).status).toBe(200);
  });
});

describe('burst rule', () => {
  it('refuses past burst_threshold within the burst window even under the per-minute limit', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 500, burst_threshold: 5 });
    const responses = await Promise.all(Array.from({ length: 9 }, () => t.as(key, 'GET', '/api/v2/me')));
    expect(statuses(responses)).toEqual([200, 200, 200, 200, 200, 429, 429, 429, 429]);
    const problem = await readProblem(responses.find((r) => r.status === 429)!);
    expect(problem).toMatchObject({ code: 'burst_limited', limit: 'burst', limit_quota: 5, limit_window_seconds: 30 });
  });

  it('does not spend the per-minute allowance or the daily quota on burst-refused requests', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 500, burst_threshold: 2 });
    const responses = await Promise.all(Array.from({ length: 6 }, () => t.as(key, 'GET', '/api/v2/me')));
    expect(count(responses, 200)).toBe(2);
    const last = responses.find((r) => r.status === 429)!;
    const state = parseList(last.headers.get('ratelimit'));
    expect(state.minute!.r).toBe(498);
    expect(state.day!.r).toBe(10_000 - 2);
  });

  it('falls back to the server-wide BURST_THRESHOLD when the consumer sets none', async () => {
    const { key } = await t.consumerWithKey(['annotations:read']);
    const res = await t.as(key, 'GET', '/api/v2/me');
    expect(parseList(res.headers.get('ratelimit-policy')).burst).toEqual({ q: 1000, w: 30 });
  });
});

describe('daily quota and the UTC day boundary', () => {
  it('refuses past quota_per_day until UTC midnight, then admits again, with quota_resets_at kept true', async () => {
    clock = new Date('2026-03-14T23:59:50.000Z');
    const { key, consumerId } = await t.consumerWithKey(['annotations:read'], { quota_per_day: 3 });
    for (let i = 0; i < 3; i++) expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    const refused = await t.as(key, 'GET', '/api/v2/me');
    expect(refused.status).toBe(429);
    expect(await readProblem(refused)).toMatchObject({ code: 'quota_exceeded', limit: 'day', limit_quota: 3 });
    expect(refused.headers.get('retry-after')).toBe('10');
    expect(parseList(refused.headers.get('ratelimit')).day).toEqual({ r: 0, t: 10 });

    clock = new Date('2026-03-15T00:00:01.000Z');
    const me = await t.as(key, 'GET', '/api/v2/me');
    expect(me.status).toBe(200);
    const body = (await me.json()) as { quota: { used_today: number; remaining_today: number; resets_at: string } };
    expect(body.quota).toEqual({ used_today: 1, remaining_today: 2, resets_at: '2026-03-16T00:00:00.000Z' });
    expect(parseList(me.headers.get('ratelimit')).day).toEqual({ r: 2, t: 86_399 });

    await t.services.traffic.requestLog.flush();
    const [row] = await t.sql<{ quota_resets_at: Date }[]>`SELECT quota_resets_at FROM api_consumers WHERE id = ${consumerId}`;
    expect(row!.quota_resets_at.toISOString()).toBe('2026-03-16T00:00:00.000Z');
    clock = new Date('2026-03-14T12:00:00.000Z');
  });

  it('reports /me used_today from the counter the quota enforces, refused requests excluded', async () => {
    const { key, consumerId } = await t.consumerWithKey(['annotations:read'], { quota_per_day: 4 });
    for (let i = 0; i < 3; i++) expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    const me = await t.as(key, 'GET', '/api/v2/me');
    expect(((await me.json()) as { quota: unknown }).quota).toMatchObject({ used_today: 4, remaining_today: 0 });
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(429);
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(429);
    expect(await t.services.traffic.limiter.usedToday(consumerId, clock)).toBe(4);
  });
});

describe('quota_resets_at for idle consumers', () => {
  it('is rolled over to the next UTC midnight by the maintenance timer, without any request', async () => {
    clock = new Date('2026-03-14T12:00:00.000Z');
    const { consumerId } = await t.consumerWithKey(['annotations:read']);
    await t.sql`UPDATE api_consumers SET quota_resets_at = '2026-03-14T00:00:00Z' WHERE id = ${consumerId}`;
    t.services.traffic.startMaintenance();
    for (let i = 0; i < 100; i++) {
      const [row] = await t.sql<{ quota_resets_at: Date }[]>`SELECT quota_resets_at FROM api_consumers WHERE id = ${consumerId}`;
      if (row!.quota_resets_at.toISOString() === '2026-03-15T00:00:00.000Z') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('quota_resets_at was not rolled over');
  });
});

describe('headers', () => {
  it('carries RateLimit-Policy and RateLimit in the draft syntax on every consumer response', async () => {
    clock = new Date('2026-03-14T12:00:00.000Z');
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 60, quota_per_day: 100, burst_threshold: 50 });
    const first = await t.as(key, 'GET', '/api/v2/me');
    expect(first.headers.get('ratelimit-policy')).toBe('"burst";q=50;w=30, "minute";q=60;w=60, "day";q=100;w=86400');
    const state = parseList(first.headers.get('ratelimit'));
    expect(state.burst!.r).toBe(49);
    expect(state.minute!.r).toBe(59);
    expect(state.minute!.t).toBeGreaterThanOrEqual(59);
    expect(state.minute!.t).toBeLessThanOrEqual(60);
    expect(state.day).toEqual({ r: 99, t: 12 * 3600 });
    expect(first.headers.get('ratelimit')).toMatch(/^"burst";r=\d+;t=\d+, "minute";r=\d+;t=\d+, "day";r=\d+;t=\d+$/);

    const second = await t.as(key, 'GET', '/api/v2/me');
    expect(parseList(second.headers.get('ratelimit')).minute!.r).toBe(58);
  });

  it('are Structured Field Lists as draft-ietf-httpapi-ratelimit-headers-11 defines them, on a 200 and on a 429', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 2 });
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await t.as(key, 'GET', '/api/v2/me'));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 429]);
    const integer = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    for (const res of responses) {
      const fields = { policy: res.headers.get('ratelimit-policy')!, limit: res.headers.get('ratelimit')! };
      // Parsed by an RFC 9651 parser, and already in its canonical serialization.
      const policy = parseSfList(fields.policy) as Item[];
      const limit = parseSfList(fields.limit) as Item[];
      expect(serializeList(policy)).toBe(fields.policy);
      expect(serializeList(limit)).toBe(fields.limit);
      // §3.1: each policy item is an sf-string with q (REQUIRED, non-negative Integer) and w (positive Integer).
      for (const [name, params] of policy) {
        expect(typeof name).toBe('string');
        expect([...params.keys()]).toEqual(['q', 'w']);
        expect(integer(params.get('q'))).toBe(true);
        expect(integer(params.get('w')) && (params.get('w') as number) > 0).toBe(true);
      }
      // §4.1: each service-limit item names a policy, with r (REQUIRED) and t, non-negative Integers.
      for (const [name, params] of limit) {
        expect(typeof name).toBe('string');
        expect([...params.keys()]).toEqual(['r', 't']);
        expect(integer(params.get('r')) && integer(params.get('t'))).toBe(true);
      }
      expect(limit.map(([name]) => name)).toEqual(policy.map(([name]) => name));
    }
    // §6: Retry-After does not point earlier than the end of the refusing policy's effective window.
    const refused = responses[2]!;
    const minute = (parseSfList(refused.headers.get('ratelimit')!) as Item[]).find(([name]) => name === 'minute')!;
    expect(minute[1].get('r')).toBe(0);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(minute[1].get('t') as number);
  });

  it('counts and labels a 403 (authenticated, lacking a scope) too', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 5 });
    const forbidden = await t.as(key, 'GET', '/api/v2/usage');
    expect(forbidden.status).toBe(403);
    expect(parseList(forbidden.headers.get('ratelimit')).minute!.r).toBe(4);
  });

  it('sends no rate-limit headers for unauthenticated requests or the operator token', async () => {
    const anon = await t.request('/api/v2/me');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('ratelimit')).toBeNull();
    const operator = await t.admin('GET', '/api/v2/admin/consumers');
    expect(operator.status).toBe(200);
    expect(operator.headers.get('ratelimit')).toBeNull();
  });
});

describe('restarts', () => {
  it('keep the day’s quota use: a new process seeds the day counter from the request log', async () => {
    const db = await createTestDatabase();
    try {
      const first = await startTestServer({ database: db });
      const { key } = await first.consumerWithKey(['annotations:read'], { quota_per_day: 5 });
      for (let i = 0; i < 3; i++) expect((await first.as(key, 'GET', '/api/v2/me')).status).toBe(200);
      await first.close(); // flushes the log; the in-process counters die with it

      const second = await startTestServer({ database: db });
      const responses = [];
      for (let i = 0; i < 4; i++) responses.push((await second.as(key, 'GET', '/api/v2/me')).status);
      expect(responses).toEqual([200, 200, 429, 429]);
      await second.close();
    } finally {
      await db.drop();
    }
  });
});
