// Webhook success rates for charts: GET /api/v2/webhook-stats (the caller's own) and
// GET /api/v2/admin/webhook-stats (across consumers). Attempts are appended to the delivery
// log directly at known times (the engine that writes it has tests of its own), and the
// server's clock is fixed, so every bucket can be checked exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

interface Counts {
  attempts: number;
  delivered: number;
  failed: number;
  success_rate: number | null;
}
interface Stats {
  consumer_id: string | null;
  subscription_id: string | null;
  granularity: string;
  from: string;
  to: string;
  totals: Counts;
  data: (Counts & { period_start: string })[];
}

const NOW = Date.parse('2026-11-20T13:00:00Z');
let t: TestServer;
let a: { consumerId: string; key: string; sub: string; quiet: string };
let b: { consumerId: string; key: string; sub: string };

async function subscribe(key: string) {
  const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/hook' });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Appends attempts with the given statuses at `start` + i minutes. */
async function logAttempts(sub: string, statuses: string[], start: string) {
  await t.sql`
    INSERT INTO webhook_deliveries (webhook_subscription_id, payload, status, response_code, attempt, event_type, attempted_at)
    SELECT ${sub}::uuid, '{}', s, CASE s WHEN 'delivered' THEN 200 ELSE 500 END, 1, 'annotation.created',
      ${start}::timestamptz + make_interval(mins => (i - 1)::int)
    FROM unnest(${statuses}::text[]) WITH ORDINALITY AS x(s, i)`;
}

async function get(credential: string, path: string): Promise<Stats> {
  const res = await t.as(credential, 'GET', path);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return (await res.json()) as Stats;
}

const bucket = (stats: Stats, at: string) => stats.data.find((d) => d.period_start === new Date(at).toISOString());

beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(NOW) });
  const ca = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
  const cb = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
  a = { ...ca, sub: await subscribe(ca.key), quiet: await subscribe(ca.key) };
  b = { ...cb, sub: await subscribe(cb.key) };
  await logAttempts(a.sub, ['delivered', 'failed', 'delivered', 'failed', 'delivered'], '2026-11-20T10:00:00Z');
  await logAttempts(a.sub, ['delivered', 'pending'], '2026-11-20T11:30:00Z');
  await logAttempts(b.sub, ['failed', 'delivered'], '2026-11-20T10:10:00Z');
  // Outside the default range (the 24 hours before NOW).
  await logAttempts(a.sub, ['failed'], '2026-11-19T12:59:00Z');
});
afterAll(() => t?.close());

describe('GET /api/v2/webhook-stats', () => {
  it('buckets the caller’s attempts by hour over the last 24 hours, zero-filled, with the success rate', async () => {
    const stats = await get(a.key, '/api/v2/webhook-stats');
    expect(stats).toMatchObject({
      consumer_id: a.consumerId,
      subscription_id: null,
      granularity: 'hour',
      from: '2026-11-19T13:00:00.000Z',
      to: '2026-11-20T13:00:00.000Z',
      totals: { attempts: 6, delivered: 4, failed: 2, success_rate: 0.6667 },
    });
    expect(stats.data).toHaveLength(24);
    expect(bucket(stats, '2026-11-20T10:00:00Z')).toEqual({ period_start: '2026-11-20T10:00:00.000Z', attempts: 5, delivered: 3, failed: 2, success_rate: 0.6 });
    expect(bucket(stats, '2026-11-20T11:00:00Z')).toMatchObject({ attempts: 1, delivered: 1, success_rate: 1 });
    expect(bucket(stats, '2026-11-20T12:00:00Z')).toMatchObject({ attempts: 0, success_rate: null });
  });

  it('narrows to one of the caller’s subscriptions, and is 404 for another consumer’s', async () => {
    const quiet = await get(a.key, `/api/v2/webhook-stats?subscription_id=${a.quiet}`);
    expect(quiet).toMatchObject({ subscription_id: a.quiet, totals: { attempts: 0, success_rate: null } });
    const res = await t.as(a.key, 'GET', `/api/v2/webhook-stats?subscription_id=${b.sub}`);
    expect(res.status).toBe(404);
    await readProblem(res);
    expect((await get(b.key, '/api/v2/webhook-stats')).totals).toEqual({ attempts: 2, delivered: 1, failed: 1, success_rate: 0.5 });
  });

  it('takes a day granularity and an explicit range, and refuses an empty one', async () => {
    const days = await get(a.key, '/api/v2/webhook-stats?granularity=day&from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z');
    expect(days.data.map((d) => [d.period_start, d.attempts])).toEqual([
      ['2026-11-19T00:00:00.000Z', 1],
      ['2026-11-20T00:00:00.000Z', 6],
    ]);
    const res = await t.as(a.key, 'GET', '/api/v2/webhook-stats?from=2026-11-20T10:00:00Z&to=2026-11-20T10:00:00Z');
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/from' })]);
  });

  it('needs webhooks:manage', async () => {
    const { key } = await t.consumerWithKey(['usage:read']);
    const res = await t.as(key, 'GET', '/api/v2/webhook-stats');
    expect(res.status).toBe(403);
    expect((await readProblem(res)).code).toBe('insufficient_scope');
  });
});

describe('GET /api/v2/admin/webhook-stats', () => {
  it('counts every consumer’s attempts, or one consumer’s, or one subscription’s', async () => {
    const all = await get(t.adminToken, '/api/v2/admin/webhook-stats');
    expect(all).toMatchObject({ consumer_id: null, totals: { attempts: 8, delivered: 5, failed: 3, success_rate: 0.625 } });
    expect(bucket(all, '2026-11-20T10:00:00Z')).toMatchObject({ attempts: 7, delivered: 4, failed: 3 });
    const onlyB = await get(t.adminToken, `/api/v2/admin/webhook-stats?consumer_id=${b.consumerId}`);
    expect(onlyB).toMatchObject({ consumer_id: b.consumerId, totals: { attempts: 2, delivered: 1 } });
    const sub = await get(t.adminToken, `/api/v2/admin/webhook-stats?subscription_id=${a.sub}`);
    expect(sub).toMatchObject({ subscription_id: a.sub, totals: { attempts: 6 } });
  });

  it('is 404 for an unknown consumer or a subscription not of the named consumer, 403 for a consumer key', async () => {
    for (const query of [`consumer_id=00000000-0000-4000-8000-000000000000`, `consumer_id=${b.consumerId}&subscription_id=${a.sub}`]) {
      const res = await t.admin('GET', `/api/v2/admin/webhook-stats?${query}`);
      expect(res.status, query).toBe(404);
      await readProblem(res);
    }
    const res = await t.as(a.key, 'GET', '/api/v2/admin/webhook-stats');
    expect(res.status).toBe(403);
  });
});
