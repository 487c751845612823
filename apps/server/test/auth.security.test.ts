import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let clock = Date.now();
beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(clock) });
});
afterAll(() => t.close());

async function expectUnauthenticated(res: Response, error?: string) {
  expect(res.status).toBe(401);
  const challenge = res.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="ihf-api"/);
  if (error) expect(challenge).toContain(`error="${error}"`);
  else expect(challenge).not.toContain('error=');
  expect((await readProblem(res)).code).toBe('unauthenticated');
}

describe('authentication', () => {
  it('refuses a request without credentials with a bare Bearer challenge', async () => {
    await expectUnauthenticated(await t.request('/api/v2/me'));
    await expectUnauthenticated(await t.request('/api/v2/admin/consumers'));
  });

  it('refuses a non-Bearer scheme', async () => {
    const res = await t.request('/api/v2/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    await expectUnauthenticated(res, 'invalid_request');
  });

  it('refuses garbage and unknown but well-formed keys alike', async () => {
    await expectUnauthenticated(await t.as('not-a-key', 'GET', '/api/v2/me'), 'invalid_token');
    const forged = `ihfk_deadbeef_${'A'.repeat(43)}`;
    await expectUnauthenticated(await t.as(forged, 'GET', '/api/v2/me'), 'invalid_token');
  });

  it('refuses a key whose prefix exists but whose secret part differs', async () => {
    const { key } = await t.consumerWithKey(['annotations:read']);
    const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    await expectUnauthenticated(await t.as(tampered, 'GET', '/api/v2/me'), 'invalid_token');
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
  });

  it('refuses a revoked key', async () => {
    const { consumerId, keyId, key } = await t.consumerWithKey(['annotations:read']);
    expect((await t.admin('POST', `/api/v2/admin/consumers/${consumerId}/keys/${keyId}/revoke`)).status).toBe(200);
    const res = await t.as(key, 'GET', '/api/v2/me');
    await expectUnauthenticated(res.clone(), 'invalid_token');
    expect((await readProblem(res)).detail).toMatch(/revoked/);
  });

  it('refuses a key once it has expired', async () => {
    const consumer = await t.createConsumer();
    const expiresAt = new Date(clock + 60_000).toISOString();
    const { key } = await t.issueKey(consumer.id, ['annotations:read'], { expires_at: expiresAt });
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    clock += 61_000;
    const res = await t.as(key, 'GET', '/api/v2/me');
    await expectUnauthenticated(res.clone(), 'invalid_token');
    expect((await readProblem(res)).detail).toMatch(/expired/);
  });

  it('refuses every key of a deactivated consumer, and accepts them again on reactivation', async () => {
    const { consumerId, key } = await t.consumerWithKey(['annotations:read']);
    expect((await t.admin('POST', `/api/v2/admin/consumers/${consumerId}/deactivate`)).status).toBe(200);
    await expectUnauthenticated(await t.as(key, 'GET', '/api/v2/me'), 'invalid_token');
    expect((await t.admin('PATCH', `/api/v2/admin/consumers/${consumerId}`, { is_active: true })).status).toBe(200);
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
  });

  it('refuses an operator token that is wrong by one character', async () => {
    const wrong = t.adminToken.slice(0, -1) + (t.adminToken.endsWith('a') ? 'b' : 'a');
    await expectUnauthenticated(await t.as(wrong, 'GET', '/api/v2/admin/consumers'), 'invalid_token');
  });
});

describe('authorization', () => {
  it('answers a missing scope with 403 insufficient_scope naming the scope', async () => {
    const { key } = await t.consumerWithKey(['annotations:read']);
    const res = await t.as(key, 'GET', '/api/v2/admin/consumers');
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ihf-api", error="insufficient_scope", scope="admin"');
    const problem = await readProblem(res);
    expect(problem).toMatchObject({ code: 'insufficient_scope', required_scopes: ['admin'] });
  });

  it('lets a consumer key with scope admin call admin routes', async () => {
    const { key } = await t.consumerWithKey(['admin']);
    expect((await t.as(key, 'GET', '/api/v2/admin/consumers')).status).toBe(200);
  });

  it('refuses the operator token on consumer routes with 403', async () => {
    const res = await t.as(t.adminToken, 'GET', '/api/v2/me');
    expect(res.status).toBe(403);
    expect((await readProblem(res)).code).toBe('forbidden');
  });

  it('never shows consumer A the keys of consumer B', async () => {
    const a = await t.consumerWithKey(['annotations:read', 'usage:read']);
    const b = await t.consumerWithKey(['annotations:read']);
    const res = await t.as(a.key, 'GET', `/api/v2/admin/consumers/${b.consumerId}/keys`);
    expect(res.status).toBe(403);
    const me = (await (await t.as(a.key, 'GET', '/api/v2/me')).json()) as { consumer: { id: string }; credential: { id: string } };
    expect(me.consumer.id).toBe(a.consumerId);
    expect(me.credential.id).toBe(a.keyId);
    expect(JSON.stringify(me)).not.toContain(b.keyId);
  });

  it('does not let a key revoke another consumer’s key through a mismatched path', async () => {
    const a = await t.consumerWithKey(['annotations:read']);
    const b = await t.consumerWithKey(['annotations:read']);
    // B's key id under A's consumer id: not found, and B's key keeps working.
    const res = await t.admin('POST', `/api/v2/admin/consumers/${a.consumerId}/keys/${b.keyId}/revoke`);
    expect(res.status).toBe(404);
    expect((await t.as(b.key, 'GET', '/api/v2/me')).status).toBe(200);
  });
});

describe('key storage', () => {
  it('stores only the prefix and SHA-256 hash, never the key', async () => {
    const consumer = await t.createConsumer();
    const issued = await t.issueKey(consumer.id, ['annotations:read']);
    const rows = await t.sql`SELECT * FROM api_keys WHERE id = ${issued.id}`;
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(issued.key);
    expect(stored).not.toContain(issued.key.slice('ihfk_00000000_'.length));
    const { createHash } = await import('node:crypto');
    expect(rows[0]).toMatchObject({ key_prefix: issued.key_prefix, key_hash: createHash('sha256').update(issued.key).digest('hex') });
  });

  it('lists keys with prefixes only', async () => {
    const consumer = await t.createConsumer();
    await t.issueKey(consumer.id, ['annotations:read']);
    const list = (await (await t.admin('GET', `/api/v2/admin/consumers/${consumer.id}/keys`)).json()) as { data: Record<string, unknown>[] };
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).not.toHaveProperty('key');
    expect(list.data[0]).not.toHaveProperty('key_hash');
    expect(list.data[0]!.key_prefix).toMatch(/^[0-9a-f]{8}$/);
  });

  it('issues keys with unique prefixes and at least 256 bits after them', async () => {
    const consumer = await t.createConsumer();
    const keys = await Promise.all(Array.from({ length: 20 }, () => t.issueKey(consumer.id, ['annotations:read'])));
    expect(new Set(keys.map((k) => k.key_prefix)).size).toBe(20);
    for (const k of keys) expect(Buffer.from(k.key.slice('ihfk_00000000_'.length), 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('refuses an expiry in the past', async () => {
    const consumer = await t.createConsumer();
    const res = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/keys`, {
      scopes: ['annotations:read'],
      expires_at: new Date(clock - 1000).toISOString(),
    });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/expires_at' })]);
  });

  it('refuses unknown scopes', async () => {
    const consumer = await t.createConsumer();
    const res = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['everything'] });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/scopes/0' })]);
  });
});
