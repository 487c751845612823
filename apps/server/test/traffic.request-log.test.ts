// The request log: every /api/v2 request recorded with its route template, written in
// batches off the request path, and complete after a graceful shutdown under load.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogEntry as LogRow } from '../src/db/repositories/request-log.js';
import { createTestDatabase, startTestServer, type TestDatabase, type TestServer } from './support/harness.js';

const rawGet = (base: string, path: string, requestId: string) =>
  new Promise<number>((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, headers: { 'x-request-id': requestId } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject).end();
  });

const rowsFor = (t: TestServer, ids: string[]) =>
  t.sql<LogRow[]>`SELECT * FROM api_request_log WHERE request_id IN ${t.sql(ids)}`;

describe('what the log records', () => {
  let t: TestServer;
  // Later than the real clock: keys start their billing period at creation (database time).
  const clock = new Date('2099-05-31T23:59:59.500Z');
  beforeAll(async () => {
    t = await startTestServer({ now: () => new Date(clock), env: { BURST_THRESHOLD: '1000' } });
  });
  afterAll(() => t.close());

  it('records 200, 401, 403, 404, 405 and 429 responses with consumer, key, route template, status and request id', async () => {
    const { key, keyId, consumerId } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 2 });
    const sent: Response[] = [
      await t.as(key, 'GET', '/api/v2/me'),
      await t.request('/api/v2/me'),
      await t.as(key, 'GET', '/api/v2/usage'),
      await t.as(key, 'GET', '/api/v2/nowhere/42'),
      await t.as(key, 'DELETE', '/api/v2/me'),
      await t.as(key, 'GET', '/api/v2/me'),
      await t.admin('GET', `/api/v2/admin/consumers/${consumerId}`),
    ];
    expect(sent.map((r) => r.status)).toEqual([200, 401, 403, 404, 405, 429, 200]);
    await t.services.traffic.requestLog.flush();
    const ids = sent.map((r) => r.headers.get('x-request-id')!);
    const rows = await rowsFor(t, ids);
    const byId = new Map(rows.map((r) => [r.request_id, r]));
    expect(rows).toHaveLength(sent.length);
    const expected = [
      [consumerId, keyId, '/api/v2/me', 'GET', 200],
      [null, null, '/api/v2/me', 'GET', 401],
      [consumerId, keyId, '/api/v2/usage', 'GET', 403],
      [null, null, '/api/v2/nowhere/42', 'GET', 404],
      [null, null, '/api/v2/me', 'DELETE', 405],
      [consumerId, keyId, '/api/v2/me', 'GET', 429],
      [null, null, '/api/v2/admin/consumers/:consumerId', 'GET', 200],
    ];
    ids.forEach((id, i) => {
      const row = byId.get(id)!;
      expect([row.api_consumer_id, row.api_key_id, row.endpoint, row.method, row.status_code]).toEqual(expected[i]);
      expect(row.latency_ms).toBeGreaterThanOrEqual(0);
      expect(row.requested_at.toISOString()).toBe(clock.toISOString());
    });
  });

  it('keeps an unmatched path exactly as sent, quotes, braces, commas and backslashes included', async () => {
    // Raw, not through fetch, which would percent-encode most of these.
    const odd = ['/api/v2/a"b', '/api/v2/{a,b}', '/api/v2/back\\slash', '/api/v2/NULL', "/api/v2/it's", '/api/v2/caf%C3%A9'];
    const ids = odd.map((_, i) => `odd-path-${i}`);
    const statuses = await Promise.all(odd.map((path, i) => rawGet(t.url, path, ids[i]!)));
    expect(statuses).toEqual(odd.map(() => 404));
    await t.services.traffic.requestLog.flush();
    const rows = await rowsFor(t, ids);
    const byId = new Map(rows.map((r) => [r.request_id, r.endpoint]));
    expect(ids.map((id) => byId.get(id))).toEqual(odd);
  });

  it('does not log requests outside /api/v2', async () => {
    const before = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM api_request_log`;
    await t.request('/healthz');
    await t.request('/openapi.json');
    await t.services.traffic.requestLog.flush();
    const after = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM api_request_log`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('writes in batches, not one INSERT per request', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 10_000 });
    await t.services.traffic.requestLog.flush();
    const before = t.services.traffic.requestLog.stats();
    await Promise.all(Array.from({ length: 300 }, () => t.as(key, 'GET', '/api/v2/me')));
    await t.services.traffic.requestLog.flush();
    const after = t.services.traffic.requestLog.stats();
    expect(after.written - before.written).toBe(300);
    expect(after.batches - before.batches).toBeLessThanOrEqual(30);
  });

  it('keeps last_used_at and the key’s billing-period count current, 429s unbilled', async () => {
    const { key, keyId } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 3 });
    for (let i = 0; i < 5; i++) await t.as(key, 'GET', '/api/v2/me');
    await t.services.traffic.requestLog.flush();
    const [row] = await t.sql<{ last_used_at: Date; billing_period_start: Date; billing_period_requests: string }[]>`
      SELECT last_used_at, billing_period_start, billing_period_requests FROM api_keys WHERE id = ${keyId}`;
    expect(row!.last_used_at.toISOString()).toBe(clock.toISOString());
    expect(row!.billing_period_start.toISOString()).toBe('2099-05-01T00:00:00.000Z');
    expect(Number(row!.billing_period_requests)).toBe(3);
  });

  it('starts a new billing period at the first request of a new UTC month', async () => {
    const { key, keyId } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 100 });
    await t.as(key, 'GET', '/api/v2/me');
    await t.as(key, 'GET', '/api/v2/me');
    await t.services.traffic.requestLog.flush();
    clock.setTime(Date.parse('2099-06-01T00:00:00.250Z'));
    await t.as(key, 'GET', '/api/v2/me');
    await t.services.traffic.requestLog.flush();
    const [row] = await t.sql<{ billing_period_start: Date; billing_period_requests: string }[]>`
      SELECT billing_period_start, billing_period_requests FROM api_keys WHERE id = ${keyId}`;
    expect(row!.billing_period_start.toISOString()).toBe('2099-06-01T00:00:00.000Z');
    expect(Number(row!.billing_period_requests)).toBe(1);
    clock.setTime(Date.parse('2099-05-31T23:59:59.500Z'));
  });
});

describe('graceful shutdown under load', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('logs every request that got a response, even when the server stops mid-load', async () => {
    const t = await startTestServer({ database: db, env: { BURST_THRESHOLD: '100000' } });
    const { key } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 100_000 });
    const answered: { id: string; status: number }[] = [];
    let sent = 0;
    let stopping = false;
    const paths = ['/api/v2/me', '/api/v2/nowhere', '/api/v2/usage'];
    // 40 clients in a loop until the server stops answering.
    const clients = Array.from({ length: 40 }, async (_, c) => {
      for (let i = 0; !stopping || i < 1; i++) {
        sent++;
        try {
          const res = await t.as(key, 'GET', paths[(c + i) % paths.length]!);
          answered.push({ id: res.headers.get('x-request-id')!, status: res.status });
          await res.arrayBuffer();
        } catch {
          return; // connection refused or reset: the server has stopped
        }
        if (stopping) return;
      }
    });
    while (answered.length < 600) await new Promise((r) => setTimeout(r, 5));
    stopping = true;
    await t.close(); // drains in-flight requests, then flushes the log
    await Promise.all(clients);

    const rows = await db.sql<{ request_id: string; status_code: number }[]>`SELECT request_id, status_code FROM api_request_log WHERE endpoint NOT LIKE '/api/v2/admin/%'`;
    const logged = new Map(rows.map((r) => [r.request_id, r.status_code]));
    expect(answered.length).toBeGreaterThanOrEqual(600);
    const missing = answered.filter((a) => logged.get(a.id) !== a.status);
    expect(missing).toEqual([]);
    expect(rows.length).toBeLessThanOrEqual(sent);
  });
});

describe('the access log', () => {
  it('writes one line a request at info, with the route and without credentials; probes write none', async () => {
    const lines: Record<string, unknown>[] = [];
    const t = await startTestServer({ env: { LOG_LEVEL: 'info' }, logTo: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    try {
      const { key } = await t.consumerWithKey(['annotations:read']);
      const me = await t.as(key, 'GET', '/api/v2/me?x=1', undefined, { 'x-request-id': 'access-log-1' });
      expect(me.status).toBe(200);
      await t.request('/healthz');
      const secret = await t.request('/api/v2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'hunter2-secret' }),
      });
      expect(secret.status).toBeGreaterThanOrEqual(400);
      const access = lines.filter((l) => l.msg === 'request completed');
      const line = access.find((l) => (l.req as { id?: string }).id === 'access-log-1');
      expect(line).toMatchObject({
        level: 30,
        req: { id: 'access-log-1', method: 'GET', url: '/api/v2/me?x=1', remoteAddress: expect.stringContaining('127.0.0.1') },
        res: { statusCode: 200 },
        route: '/api/v2/me',
        responseTime: expect.any(Number),
      });
      expect(access.some((l) => String((l.req as { url?: string }).url).startsWith('/healthz'))).toBe(false);
      const written = JSON.stringify(lines);
      expect(written).not.toContain(key);
      expect(written).not.toContain('hunter2-secret');
    } finally {
      await t.close();
    }
  });
});
