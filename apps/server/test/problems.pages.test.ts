// Every problem `type` URI dereferences to a page this server serves: HTML (under the strict
// CSP) or, asked for, JSON, one per code of the contract's error table. Type URIs are taken
// from real error answers, and from the table for the codes a test cannot cheaply provoke.
import { randomUUID } from 'node:crypto';
import { ERROR_GUIDE, ERROR_STATUS, ERROR_TITLES, problemTypeFor, type ErrorCode } from '@ihf/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let key: string;
let narrowKey: string;
let quotaKey: string;
beforeAll(async () => {
  t = await startTestServer();
  ({ key } = await t.consumerWithKey(['annotations:write', 'annotations:read', 'webhooks:manage', 'interaction-events:read'], { rate_limit_per_minute: 1000 }));
  ({ key: narrowKey } = await t.consumerWithKey(['annotations:read'], { rate_limit_per_minute: 1 }));
  ({ key: quotaKey } = await t.consumerWithKey(['annotations:read'], { quota_per_day: 1 }));
});
afterAll(() => t?.close());

const codes = Object.keys(ERROR_STATUS) as ErrorCode[];
const json = { 'content-type': 'application/json' };

/** Real requests that each answer one error code. */
const provoke: Record<string, () => Promise<Response>> = {
  route_not_found: () => t.request('/api/v2/nope'),
  method_not_allowed: () => t.request('/api/v2/me', { method: 'DELETE', headers: { authorization: `Bearer ${key}` } }),
  unauthenticated: () => t.request('/api/v2/me'),
  insufficient_scope: () => t.as(narrowKey, 'POST', '/api/v2/annotations', { body: 'x', labels: [] }),
  forbidden: () => t.as(t.adminToken, 'GET', '/api/v2/me'),
  not_found: () => t.as(key, 'GET', `/api/v2/annotations/${randomUUID()}`),
  malformed_json: () => t.request('/api/v2/annotations', { method: 'POST', headers: { authorization: `Bearer ${key}`, ...json }, body: '{"body": ' }),
  unsupported_media_type: () => t.request('/api/v2/annotations', { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: 'x' }),
  payload_too_large: () => t.request('/api/v2/annotations', { method: 'POST', headers: { authorization: `Bearer ${key}`, ...json }, body: JSON.stringify({ body: 'x'.repeat(1_100_000) }) }),
  // A malformed target_url once threw inside validation; it is a 422 naming the field.
  validation_failed: () => t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'not a url' }),
  invalid_reference: () => t.as(key, 'POST', '/api/v2/annotations', { interaction_event_id: randomUUID(), body: 'x', labels: [] }),
  conflict: async () => {
    await t.admin('POST', '/api/v2/admin/interaction-types', { name: 'scrolled_twice' });
    return t.admin('POST', '/api/v2/admin/interaction-types', { name: 'scrolled_twice' });
  },
  idempotency_key_reused: async () => {
    const headers = { 'idempotency-key': randomUUID() };
    await t.as(key, 'POST', '/api/v2/annotations', { body: 'first', labels: [] }, headers);
    return t.as(key, 'POST', '/api/v2/annotations', { body: 'second', labels: [] }, headers);
  },
  quota_exceeded: async () => {
    await t.as(quotaKey, 'GET', '/api/v2/me');
    return t.as(quotaKey, 'GET', '/api/v2/me');
  },
  rate_limited: async () => {
    await t.as(narrowKey, 'GET', '/api/v2/me');
    return t.as(narrowKey, 'GET', '/api/v2/me');
  },
};

const resolve = (type: string, res: Response) => new URL(type, res.url).href;

async function expectPage(url: string, code: ErrorCode) {
  const html = await fetch(url, { headers: { accept: 'text/html' } });
  expect(html.status, url).toBe(200);
  expect(html.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
  const text = await html.text();
  expect(text).toContain(`<h1>${ERROR_TITLES[code]}</h1>`);
  expect(text).toContain(`<code>${code}</code>`);
  const data = await fetch(url, { headers: { accept: 'application/json' } });
  expect(data.status, url).toBe(200);
  expect(await data.json()).toMatchObject({ code, status: ERROR_STATUS[code], title: ERROR_TITLES[code], meaning: ERROR_GUIDE[code].meaning });
}

describe('problem type URIs', () => {
  it('provokes most codes for real', () => {
    expect(Object.keys(provoke).length).toBeGreaterThanOrEqual(15);
  });

  it.each(Object.keys(provoke))('the type of a real %s answer dereferences to its page', async (expected) => {
    const res = await provoke[expected]!();
    const problem = await readProblem(res);
    expect(problem.code).toBe(expected);
    expect(problem.type).toBe(problemTypeFor(expected as ErrorCode));
    await expectPage(resolve(problem.type as string, res), expected as ErrorCode);
  });

  it('an OAuth error’s type dereferences too', async () => {
    const res = await t.request('/api/v2/token', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=password' });
    const body = (await res.json()) as { type: string; code: ErrorCode };
    expect(res.status).toBeGreaterThanOrEqual(400);
    await expectPage(resolve(body.type, res), body.code);
  });

  it.each(codes)('%s: its type URI dereferences to a page, HTML and JSON', async (code) => {
    await expectPage(new URL(problemTypeFor(code), t.url).href, code);
  });

  it('lists every problem type at /problems, and answers an unknown one with a 404 problem', async () => {
    const index = await t.request('/problems');
    expect(index.status).toBe(200);
    const text = await index.text();
    for (const code of codes) expect(text).toContain(`href="${problemTypeFor(code)}"`);
    const list = (await (await t.request('/problems', { headers: { accept: 'application/json' } })).json()) as { data: { code: string }[] };
    expect(list.data.map((d) => d.code)).toEqual(codes);
    const css = await t.request('/problems/problems.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const unknown = await t.request('/problems/no-such-thing');
    expect(unknown.status).toBe(404);
    expect((await readProblem(unknown)).code).toBe('not_found');
  });
});

describe('with PUBLIC_BASE_URL', () => {
  let p: TestServer;
  const base = 'https://api.example.test';
  beforeAll(async () => {
    p = await startTestServer({ env: { PUBLIC_BASE_URL: base } });
  });
  afterAll(() => p?.close());

  it('problem types and the served spec’s server are under it', async () => {
    const problem = await readProblem(await p.request('/api/v2/nope'));
    expect(problem.type).toBe(`${base}/problems/route-not-found`);
    await expectPage(p.url + new URL(problem.type as string).pathname, 'route_not_found');
    const spec = (await (await p.request('/openapi.json')).json()) as { servers: { url: string }[] };
    expect(spec.servers[0]!.url).toBe(base);
  });
});
