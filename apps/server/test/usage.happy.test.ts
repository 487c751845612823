// GET /api/v2/usage and the operator's usage, request log and billing views, over a
// request log filled by real requests at injected times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
// Later than the real clock: keys start their billing period at creation (database time).
// A fresh Date per call: the server keeps what now() returns (log entries wait in a buffer), and setTime below must not rewrite them.
const clock = new Date('2099-04-10T09:15:00.000Z');
let caller: { key: string; keyId: string; consumerId: string };
let second: { key: string; keyId: string; consumerId: string };

interface Counts {
  requests: number;
  status_2xx: number;
  status_4xx: number;
  rate_limited: number;
  latency_ms: { p50: number | null; p95: number | null; p99: number | null };
}

beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(clock), env: { BURST_THRESHOLD: '1000' } });
  caller = await t.consumerWithKey(['usage:read'], { name: 'caller', quota_per_day: 7 });
  second = await t.consumerWithKey(['usage:read', 'annotations:read'], { name: 'second' });
  // 09:15 — four 200s from the caller
  for (let i = 0; i < 4; i++) await t.as(caller.key, 'GET', '/api/v2/me');
  // 11:40 — one 403 and two 200s, then a 429 (the daily quota of 7 is spent)
  clock.setTime(Date.parse('2099-04-10T11:40:00.000Z'));
  await t.as(caller.key, 'GET', '/api/v2/admin/consumers');
  await t.as(caller.key, 'GET', '/api/v2/me');
  await t.as(caller.key, 'GET', '/api/v2/me');
  expect((await t.as(caller.key, 'GET', '/api/v2/me')).status).toBe(429);
  // the other consumer: three 200s
  for (let i = 0; i < 3; i++) await t.as(second.key, 'GET', '/api/v2/me');
  await t.services.traffic.requestLog.flush();
  // Reads happen the next day, so their own log entries stay out of the ranges read.
  clock.setTime(Date.parse('2099-04-11T08:30:00.000Z'));
});
afterAll(() => t.close());

describe('GET /api/v2/usage', () => {
  it('answers the caller’s own hourly series, zero-filled, with status classes and percentiles', async () => {
    const res = await t.as(second.key, 'GET', '/api/v2/usage?granularity=hour&from=2099-04-10T09:00:00Z&to=2099-04-10T12:00:00Z');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { consumer_id: string; data: (Counts & { period_start: string })[]; totals: Counts };
    expect(body.consumer_id).toBe(second.consumerId);
    expect(body.data.map((b) => [b.period_start, b.requests])).toEqual([
      ['2099-04-10T09:00:00.000Z', 0],
      ['2099-04-10T10:00:00.000Z', 0],
      ['2099-04-10T11:00:00.000Z', 3],
    ]);
    expect(body.data[0]!.latency_ms).toEqual({ p50: null, p95: null, p99: null });
    expect(body.totals).toMatchObject({ requests: 3, status_2xx: 3, status_4xx: 0, rate_limited: 0 });
    expect(body.totals.latency_ms.p50).toEqual(expect.any(Number));
  });

  it('counts 4xx and 429s, by day by default range', async () => {
    const res = await t.as(caller.key, 'GET', '/api/v2/usage?granularity=day&from=2099-04-09T00:00:00Z&to=2099-04-11T00:00:00Z');
    const body = (await res.json()) as { data: (Counts & { period_start: string })[]; totals: Counts };
    expect(body.data.map((b) => b.period_start)).toEqual(['2099-04-09T00:00:00.000Z', '2099-04-10T00:00:00.000Z']);
    expect(body.data[1]).toMatchObject({ requests: 8, status_2xx: 6, status_4xx: 2, rate_limited: 1 });
    expect(body.totals).toMatchObject({ requests: 8, status_2xx: 6, status_4xx: 2, rate_limited: 1 });
  });

  it('defaults to the last 24 hours by hour', async () => {
    const res = await t.as(second.key, 'GET', '/api/v2/usage');
    const body = (await res.json()) as { granularity: string; from: string; to: string; data: unknown[] };
    expect(body).toMatchObject({ granularity: 'hour', from: '2099-04-10T08:30:00.000Z', to: '2099-04-11T08:30:00.000Z' });
    expect(body.data).toHaveLength(25);
  });

  it('filters by key', async () => {
    const other = await t.issueKey(second.consumerId, ['usage:read']);
    const res = await t.as(second.key, 'GET', `/api/v2/usage?granularity=day&key_id=${other.id}&from=2099-04-10T00:00:00Z&to=2099-04-11T00:00:00Z`);
    expect(((await res.json()) as { totals: Counts }).totals.requests).toBe(0);
  });
});

describe('operator views', () => {
  it('usage across consumers, busiest first', async () => {
    const res = await t.admin('GET', '/api/v2/admin/usage?from=2099-04-10T00:00:00Z&to=2099-04-11T00:00:00Z');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: (Counts & { consumer_id: string | null; name: string | null })[]; totals: Counts };
    const rows = body.data.filter((r) => r.consumer_id !== null);
    expect(rows.map((r) => [r.name, r.requests])).toEqual([
      ['caller', 8],
      ['second', 3],
    ]);
    expect(body.totals.requests).toBeGreaterThanOrEqual(11);
  });

  it('usage across consumers in pages that rank the first page’s range', async () => {
    const first = await t.admin('GET', '/api/v2/admin/usage?from=2099-04-10T00:00:00Z&to=2099-04-11T00:00:00Z&limit=1');
    const page1 = (await first.json()) as { from: string; to: string; data: { name: string | null }[]; next_cursor: string | null };
    expect(page1.data).toHaveLength(1);
    expect(page1.next_cursor).toEqual(expect.any(String));
    // The cursor carries the range: another one in the query does not change the ranking.
    const next = await t.admin('GET', `/api/v2/admin/usage?limit=1&from=2099-01-01T00:00:00Z&cursor=${page1.next_cursor}`);
    expect(next.status).toBe(200);
    const page2 = (await next.json()) as typeof page1;
    expect([page2.from, page2.to]).toEqual([page1.from, page1.to]);
    const all = (await (await t.admin('GET', '/api/v2/admin/usage?from=2099-04-10T00:00:00Z&to=2099-04-11T00:00:00Z')).json()) as typeof page1;
    expect(all.next_cursor).toBeNull();
    expect([...page1.data, ...page2.data]).toEqual(all.data.slice(0, 2));

    const forged = await t.admin('GET', `/api/v2/admin/usage?cursor=${Buffer.from('{"from":"x"}').toString('base64url')}`);
    expect(forged.status).toBe(422);
    const tooWide = Buffer.from(JSON.stringify({ from: '2000-01-01T00:00:00Z', to: '2099-01-01T00:00:00Z', offset: 1 })).toString('base64url');
    expect((await t.admin('GET', `/api/v2/admin/usage?cursor=${tooWide}`)).status).toBe(422);
  });

  it('a consumer’s series, and 404 for an unknown consumer', async () => {
    const res = await t.admin('GET', `/api/v2/admin/consumers/${caller.consumerId}/usage?granularity=day&from=2099-04-10T00:00:00Z&to=2099-04-11T00:00:00Z`);
    expect(((await res.json()) as { totals: Counts }).totals.requests).toBe(8);
    const missing = await t.admin('GET', '/api/v2/admin/consumers/00000000-0000-4000-8000-000000000000/usage');
    expect(missing.status).toBe(404);
  });

  it('the request log, newest first, filtered and paginated', async () => {
    const first = await t.admin('GET', `/api/v2/admin/request-log?consumer_id=${caller.consumerId}&to=2099-04-11T00:00:00Z&limit=5`);
    const page1 = (await first.json()) as { data: { status_code: number; requested_at: string; endpoint: string }[]; next_cursor: string | null };
    expect(page1.data).toHaveLength(5);
    expect(page1.next_cursor).not.toBeNull();
    const next = await t.admin('GET', `/api/v2/admin/request-log?consumer_id=${caller.consumerId}&to=2099-04-11T00:00:00Z&limit=5&cursor=${page1.next_cursor}`);
    const page2 = (await next.json()) as typeof page1;
    expect(page2.data).toHaveLength(3);
    expect(page2.next_cursor).toBeNull();
    const all = [...page1.data, ...page2.data];
    expect(all.map((r) => r.requested_at)).toEqual([...all.map((r) => r.requested_at)].sort().reverse());
    expect(all.filter((r) => r.status_code === 429)).toHaveLength(1);
    expect(all[all.length - 1]!.endpoint).toBe('/api/v2/me');

    const limited = await t.admin('GET', '/api/v2/admin/request-log?status_code=429&to=2099-04-11T00:00:00Z');
    expect(((await limited.json()) as { data: unknown[] }).data).toHaveLength(1);
  });

  it('billing-period usage per key, 429s unbilled', async () => {
    await t.services.traffic.requestLog.flush();
    const res = await t.admin('GET', `/api/v2/admin/consumers/${caller.consumerId}/billing-usage`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      consumer_id: caller.consumerId,
      period_start: '2099-04-01T00:00:00.000Z',
      period_end: '2099-05-01T00:00:00.000Z',
      // 7 admitted on the 10th (the 429 is not billed) and this test's earlier GET /usage on the 11th
      requests: 8,
      keys: [{ key_id: caller.keyId, requests: 8, last_used_at: '2099-04-11T08:30:00.000Z' }],
    });
  });
});

describe('GET /api/v2/admin/usage/series', () => {
  it('buckets all traffic, the operator’s included, by status class', async () => {
    const res = await t.admin('GET', '/api/v2/admin/usage/series?granularity=hour&from=2099-04-10T09:00:00Z&to=2099-04-10T12:00:00Z');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { data: (Counts & { period_start: string })[]; totals: Counts };
    expect(body).not.toHaveProperty('consumer_id');
    // 09:15: the caller's four 200s and the operator's four 201s creating the consumers and keys.
    expect(body.data.map((b) => [b.period_start, b.requests, b.status_2xx, b.status_4xx])).toEqual([
      ['2099-04-10T09:00:00.000Z', 8, 8, 0],
      ['2099-04-10T10:00:00.000Z', 0, 0, 0],
      ['2099-04-10T11:00:00.000Z', 7, 5, 2],
    ]);
    expect(body.totals).toMatchObject({ requests: 15, status_2xx: 13, status_4xx: 2, rate_limited: 1 });
    expect((await t.as(caller.key, 'GET', '/api/v2/admin/usage/series')).status).toBe(403);
  });
});

describe('GET /api/v2/admin/request-log?status_class', () => {
  it('filters to one status class', async () => {
    const res = await t.admin('GET', `/api/v2/admin/request-log?consumer_id=${caller.consumerId}&status_class=4xx&to=2099-04-11T00:00:00Z`);
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { status_code: number }[] };
    expect(data.map((r) => r.status_code).sort()).toEqual([403, 429]);
    const ok = await t.admin('GET', `/api/v2/admin/request-log?consumer_id=${caller.consumerId}&status_class=2xx&to=2099-04-11T00:00:00Z`);
    expect(((await ok.json()) as { data: unknown[] }).data).toHaveLength(6);
    expect((await t.admin('GET', '/api/v2/admin/request-log?status_class=6xx')).status).toBe(422);
  });
});
