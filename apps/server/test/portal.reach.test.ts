// What a portal credential reaches: its one consumer's subscriptions only, and the topics
// it may subscribe to (those one of the consumer's working static keys may read).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { adminSession, forbidden, tokenOf } from './support/portal-session.js';

let t: TestServer;
let clock = Date.now();
const advance = (seconds: number) => {
  clock += seconds * 1000;
};

beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(clock) });
});
afterAll(() => t?.close());

describe('one consumer only', () => {
  it('sees and changes only its own consumer’s subscriptions (another’s are 404)', async () => {
    const a = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const b = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const created = await t.as(b.key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/b' });
    const bSub = ((await created.json()) as { id: string }).id;
    const portal = tokenOf(await adminSession(t, a.consumerId));
    for (const [method, path, body] of [
      ['GET', `/api/v2/webhook-subscriptions/${bSub}`],
      ['PATCH', `/api/v2/webhook-subscriptions/${bSub}`, { is_active: false }],
      ['DELETE', `/api/v2/webhook-subscriptions/${bSub}`],
      ['GET', `/api/v2/webhook-subscriptions/${bSub}/deliveries`],
      ['POST', `/api/v2/webhook-subscriptions/${bSub}/rotate-secret`],
    ] as [string, string, unknown?][]) {
      const res = await t.as(portal, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      await readProblem(res);
    }
    const list = (await (await t.as(portal, 'GET', '/api/v2/webhook-subscriptions')).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    expect((await t.as(b.key, 'GET', `/api/v2/webhook-subscriptions/${bSub}`)).status).toBe(200);
  });
});

describe('subscribing from the portal', () => {
  const subscribe = (credential: string, event_type: string) =>
    t.as(credential, 'POST', '/api/v2/webhook-subscriptions', { event_type, target_url: 'http://127.0.0.1:9/hook' });

  it('may name a topic whose read scope one of the consumer’s working static keys holds', async () => {
    const c = await t.consumerWithKey(['annotations:read']);
    const portal = tokenOf(await adminSession(t, c.consumerId));
    expect((await subscribe(portal, 'annotation.created')).status).toBe(201);
    const refused = await subscribe(portal, 'outcome_signal.created');
    await forbidden(refused.clone(), 'insufficient_scope');
    expect((await readProblem(refused)).required_scopes).toEqual(['outcome-signals:read']);

    // Once that key is revoked (or expired), the consumer no longer reads annotations.
    await t.admin('POST', `/api/v2/admin/consumers/${c.consumerId}/keys/${c.keyId}/revoke`);
    await forbidden(await subscribe(portal, 'annotation.created'), 'insufficient_scope');
    const expiring = await t.issueKey(c.consumerId, ['annotations:read'], { expires_at: new Date(clock + 60_000).toISOString() });
    expect(expiring.key).toMatch(/^ihfk_/);
    expect((await subscribe(portal, 'annotation.created')).status).toBe(201);
    advance(61);
    const later = tokenOf(await adminSession(t, c.consumerId));
    await forbidden(await subscribe(later, 'annotation.created'), 'insufficient_scope');
  });

  it('stays within a hub’s manifest as it stands', async () => {
    const manifest = await t.admin('POST', '/api/v2/admin/manifests', {
      name: `hub-${clock}`,
      version: '1.0.0',
      scopes: ['annotations:read', 'webhooks:manage', 'usage:read'],
      event_types: ['annotation.created'],
    });
    const manifestId = ((await manifest.json()) as { id: string }).id;
    const hub = await t.consumerWithKey(['annotations:read'], { hub_capability_manifest_id: manifestId });
    const portal = tokenOf(await adminSession(t, hub.consumerId));
    expect((await subscribe(portal, 'annotation.created')).status).toBe(201);
    expect((await t.admin('PATCH', `/api/v2/admin/manifests/${manifestId}`, { scopes: ['webhooks:manage', 'usage:read'] })).status).toBe(200);
    await forbidden(await subscribe(portal, 'annotation.created'), 'insufficient_scope');
  });

  it('leaves the rule for other credentials as it was: the caller’s own read scope', async () => {
    const c = await t.consumerWithKey(['annotations:read']);
    const manager = await t.issueKey(c.consumerId, ['webhooks:manage']);
    await forbidden(await subscribe(manager.key, 'annotation.created'), 'insufficient_scope');
  });
});
