// GET /api/v2/webhook-subscriptions/{id}/secret: the owner (a key with webhooks:manage, or
// its portal) sees the current signing secret again; nobody else does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

async function subscribe(key: string) {
  const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/hook' });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

describe('revealing a signing secret', () => {
  it('shows the current secret, the rotated one after a rotation, uncached', async () => {
    const { key } = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
    const sub = await subscribe(key);
    const res = await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ subscription_id: sub.id, secret: sub.secret });
    const [row] = await t.sql`SELECT secret FROM webhook_subscriptions WHERE id = ${sub.id}`;
    expect(row!.secret).not.toContain(sub.secret);

    const rotated = (await (await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/rotate-secret`)).json()) as { secret: string };
    expect(rotated.secret).not.toBe(sub.secret);
    const again = (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`)).json()) as { secret: string };
    expect(again.secret).toBe(rotated.secret);
  });

  it('to the consumer’s portal, and to nobody else', async () => {
    const owner = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
    const sub = await subscribe(owner.key);
    const session = (await (await t.admin('POST', `/api/v2/admin/consumers/${owner.consumerId}/portal-sessions`, {})).json()) as { url: string };
    const portal = new URL(session.url).hash.replace('#token=', '');
    expect(await (await t.as(portal, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`)).json()).toMatchObject({ secret: sub.secret });

    const other = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
    const foreign = await t.as(other.key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(await readProblem(foreign))).not.toContain(sub.secret);

    const reader = await t.issueKey(owner.consumerId, ['annotations:read']);
    const refused = await t.as(reader.key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`);
    expect(refused.status).toBe(403);
    expect((await readProblem(refused)).code).toBe('insufficient_scope');

    expect((await t.as(owner.key, 'DELETE', `/api/v2/webhook-subscriptions/${sub.id}`)).status).toBe(204);
    expect((await t.as(owner.key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`)).status).toBe(404);
  });
});
