import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('operator admin flow over HTTP', () => {
  it('creates a consumer, issues a key, calls /me with it, revokes it, and is then refused', async () => {
    const created = await t.admin('POST', '/api/v2/admin/consumers', { name: 'Acme', tier: 'pro' });
    expect(created.status).toBe(201);
    const consumer = (await created.json()) as Record<string, unknown>;
    expect(consumer).toMatchObject({ name: 'Acme', tier: 'pro', rate_limit_per_minute: 600, quota_per_day: 200000, is_active: true });

    const issued = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['annotations:read'] });
    expect(issued.status).toBe(201);
    const key = (await issued.json()) as { id: string; key: string; key_prefix: string };
    expect(key.key).toMatch(/^ihfk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(key.key).toContain(key.key_prefix);

    const me = await t.as(key.key, 'GET', '/api/v2/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      consumer: { id: consumer.id, name: 'Acme', tier: 'pro' },
      credential: { id: key.id, key_prefix: key.key_prefix, token_type: 'static' },
      scopes: ['annotations:read'],
      limits: { rate_limit_per_minute: 600, quota_per_day: 200000 },
      quota: { used_today: expect.any(Number), resets_at: expect.stringMatching(/T00:00:00.000Z$/) },
    });

    const revoked = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/keys/${key.id}/revoke`);
    expect(revoked.status).toBe(200);
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).not.toBeNull();

    const refused = await t.as(key.key, 'GET', '/api/v2/me');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer realm="ihf-api", error="invalid_token"/);
  });
});
