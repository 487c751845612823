// Who may read usage: a consumer only its own, with usage:read; the operator views need
// admin; ranges are validated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let a: { key: string; keyId: string; consumerId: string };
let b: { key: string; keyId: string; consumerId: string };
beforeAll(async () => {
  t = await startTestServer();
  a = await t.consumerWithKey(['usage:read']);
  b = await t.consumerWithKey(['usage:read']);
  for (let i = 0; i < 3; i++) await t.as(b.key, 'GET', '/api/v2/me');
  await t.services.traffic.requestLog.flush();
});
afterAll(() => t.close());

describe('GET /api/v2/usage', () => {
  it('needs a credential', async () => {
    const res = await t.request('/api/v2/usage');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('needs usage:read', async () => {
    const { key } = await t.consumerWithKey(['annotations:read']);
    const res = await t.as(key, 'GET', '/api/v2/usage');
    expect(res.status).toBe(403);
    expect((await readProblem(res)).code).toBe('insufficient_scope');
  });

  it('shows only the caller’s own requests, even when asked for another consumer’s key', async () => {
    const res = await t.as(a.key, 'GET', `/api/v2/usage?key_id=${b.keyId}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { consumer_id: string; totals: { requests: number } };
    expect(body.consumer_id).toBe(a.consumerId);
    expect(body.totals.requests).toBe(0);
    const own = (await (await t.as(b.key, 'GET', '/api/v2/usage')).json()) as { totals: { requests: number } };
    expect(own.totals.requests).toBe(3);
  });

  it('refuses an inverted or oversized range, and an unknown granularity, with 422', async () => {
    for (const query of [
      'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      'granularity=hour&from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z',
      'granularity=minute',
      'from=yesterday',
    ]) {
      const res = await t.as(a.key, 'GET', `/api/v2/usage?${query}`);
      expect(res.status, query).toBe(422);
      const problem = await readProblem(res);
      expect(problem.code).toBe('validation_failed');
      expect((problem.errors as { location: string }[])[0]!.location).toBe('query');
    }
  });
});

describe('operator usage views', () => {
  const paths = (id: string) => [
    '/api/v2/admin/usage',
    '/api/v2/admin/request-log',
    `/api/v2/admin/consumers/${id}/usage`,
    `/api/v2/admin/consumers/${id}/billing-usage`,
  ];

  it('refuse consumer keys without admin', async () => {
    for (const path of paths(a.consumerId)) {
      const res = await t.as(a.key, 'GET', path);
      expect(res.status, path).toBe(403);
    }
  });

  it('answer a key with the admin scope', async () => {
    const { key } = await t.consumerWithKey(['admin']);
    for (const path of paths(b.consumerId)) {
      expect((await t.as(key, 'GET', path)).status, path).toBe(200);
    }
  });

  it('answer 404 for a consumer that does not exist', async () => {
    const res = await t.admin('GET', '/api/v2/admin/consumers/00000000-0000-4000-8000-000000000000/billing-usage');
    expect(res.status).toBe(404);
    expect((await readProblem(res)).code).toBe('not_found');
  });

  it('never put credentials in the request log', async () => {
    const res = await t.admin('GET', `/api/v2/admin/request-log?consumer_id=${b.consumerId}`);
    const text = await res.text();
    expect(text).not.toContain(b.key);
    expect(text).not.toContain(t.adminToken);
    const rows = (JSON.parse(text) as { data: { consumer_id: string }[] }).data;
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.every((r) => r.consumer_id === b.consumerId)).toBe(true);
  });
});
