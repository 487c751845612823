import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

async function subscribe(key: string) {
  const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/hook' });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

describe('GET /webhook-subscriptions/{id}/secret', () => {
  it('shows the owner the secret the create answer gave, and the new one after a rotation', async () => {
    const { key } = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const sub = await subscribe(key);
    const first = await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ subscription_id: sub.id, secret: sub.secret, previous_secret_expires_at: null });

    const rotated = (await (await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/rotate-secret`)).json()) as { secret: string };
    expect(rotated.secret).not.toBe(sub.secret);
    const second = (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`)).json()) as { secret: string; previous_secret_expires_at: string | null };
    expect(second.secret).toBe(rotated.secret);
    expect(second.previous_secret_expires_at).not.toBeNull();
  });

  it('answers 404 to another consumer and 403 without webhooks:manage', async () => {
    const owner = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const sub = await subscribe(owner.key);
    const other = await t.consumerWithKey(['webhooks:manage']);
    const stranger = await t.as(other.key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`);
    expect(stranger.status).toBe(404);
    expect((await readProblem(stranger)).code).toBe('not_found');
    const reader = await t.issueKey(owner.consumerId, ['annotations:read']);
    const denied = await t.as(reader.key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}/secret`);
    expect(denied.status).toBe(403);
  });
});
