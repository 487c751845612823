// Idempotency-Key on the operator's creates: a retry replays the first answer and creates
// nothing twice; an answer showing a full key once is kept for replays only sealed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const post = (path: string, body: unknown, key: string) => t.as(t.adminToken, 'POST', path, body, { 'idempotency-key': key });

describe('Idempotency-Key on admin creates', () => {
  it('replays a consumer create and creates one consumer', async () => {
    const body = { name: 'Idempotent consumer', tier: 'pro' };
    const first = await post('/api/v2/admin/consumers', body, 'adm-consumer');
    expect(first.status).toBe(201);
    const created = await first.json();
    const again = await post('/api/v2/admin/consumers', body, 'adm-consumer');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(created);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM api_consumers WHERE name = ${body.name}`;
    expect(row!.n).toBe(1);

    const other = await post('/api/v2/admin/consumers', { ...body, tier: 'free' }, 'adm-consumer');
    expect(other.status).toBe(422);
    expect((await readProblem(other)).code).toBe('idempotency_key_reused');
  });

  it('replays a key create with the same full key, issues one key, and stores the answer sealed', async () => {
    const consumer = await t.createConsumer({ name: 'Key holder' });
    const path = `/api/v2/admin/consumers/${consumer.id}/keys`;
    const body = { scopes: ['annotations:read'], name: 'retried' };
    const first = await post(path, body, 'adm-key');
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string; key: string; consumer_id: string };
    expect(created.consumer_id).toBe(consumer.id);
    const again = await post(path, body, 'adm-key');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(created);

    const keys = await t.sql`SELECT id FROM api_keys WHERE api_consumer_id = ${consumer.id} AND token_type = 'static'`;
    expect(keys.map((k) => k.id)).toEqual([created.id]);
    expect((await t.as(created.key, 'GET', '/api/v2/me')).status).toBe(200);
    const [stored] = await t.sql<{ response_body: string }[]>`
      SELECT response_body FROM idempotency_keys WHERE owner = 'operator' AND idempotency_key = 'adm-key'`;
    expect(stored!.response_body).toMatch(/^v1\./);
    expect(stored!.response_body).not.toContain(created.key.slice(-20));
  });

  it('replays a key rotation: one successor, the same one each time', async () => {
    const consumer = await t.createConsumer({ name: 'Rotator' });
    const key = await t.issueKey(consumer.id, ['annotations:read']);
    const path = `/api/v2/admin/consumers/${consumer.id}/keys/${key.id}/rotate`;
    const first = await post(path, { grace_period_seconds: 60 }, 'adm-rotate');
    expect(first.status).toBe(201);
    const rotated = (await first.json()) as { id: string };
    const again = await post(path, { grace_period_seconds: 60 }, 'adm-rotate');
    expect(again.status).toBe(201);
    expect(((await again.json()) as { id: string }).id).toBe(rotated.id);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM api_keys WHERE api_consumer_id = ${consumer.id} AND token_type = 'static'`;
    expect(row!.n).toBe(2);
  });

  it('replays manifest and auto-approve rule creates instead of answering their 409', async () => {
    const manifest = { name: 'idem-hub', version: '1.0.0', scopes: ['annotations:read'] };
    const m1 = await post('/api/v2/admin/manifests', manifest, 'adm-manifest');
    expect(m1.status).toBe(201);
    const m2 = await post('/api/v2/admin/manifests', manifest, 'adm-manifest');
    expect(m2.status).toBe(201);
    expect(await m2.json()).toEqual(await m1.json());
    // Without the key, the duplicate is the documented 409.
    expect((await t.admin('POST', '/api/v2/admin/manifests', manifest)).status).toBe(409);

    const consumer = await t.createConsumer({ name: 'Rule owner' });
    const rule = { consumer_id: consumer.id, category: 'idempotent' };
    const r1 = await post('/api/v2/admin/auto-approve-rules', rule, 'adm-rule');
    const r2 = await post('/api/v2/admin/auto-approve-rules', rule, 'adm-rule');
    expect([r1.status, r2.status]).toEqual([201, 201]);
    expect(await r2.json()).toEqual(await r1.json());
  });
});
