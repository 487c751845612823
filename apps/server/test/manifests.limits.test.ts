// A hub consumer's keys and tokens never carry a scope, nor subscribe to an event type,
// outside its hub_capability_manifests row; narrowing the manifest narrows them at once.
import type { Scope } from '@ihf/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

let seq = 0;
async function hub(scopes: string[], event_types: string[] = []) {
  const res = await t.admin('POST', '/api/v2/admin/manifests', { name: `hub-${Date.now()}-${seq++}`, version: '1.0.0', scopes, event_types });
  expect(res.status).toBe(201);
  const manifest = (await res.json()) as { id: string };
  const consumer = await t.createConsumer({ hub_capability_manifest_id: manifest.id });
  return { manifestId: manifest.id, consumerId: consumer.id };
}

const basic = (id: string, pw: string) => `Basic ${Buffer.from(`${id}:${pw}`).toString('base64')}`;
function token(consumerId: string, secret: string, scope?: string) {
  return t.request('/api/v2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(consumerId, secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
}

const scopesOf = async (credential: string) => ((await (await t.as(credential, 'GET', '/api/v2/me')).json()) as { scopes: string[] }).scopes.sort();

describe('hub capability manifests', () => {
  it('a hub key cannot be issued with a scope outside the manifest', async () => {
    const h = await hub(['usage:read', 'annotations:read']);
    const res = await t.admin('POST', `/api/v2/admin/consumers/${h.consumerId}/keys`, { scopes: ['usage:read', 'annotations:write'] });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/scopes/1', code: 'scope_not_in_manifest' })]);
    expect((await t.issueKey(h.consumerId, ['usage:read'])).key).toMatch(/^ihfk_/);
  });

  it('a hub token cannot ask for a scope outside the manifest', async () => {
    const h = await hub(['usage:read', 'annotations:read']);
    const key = await t.issueKey(h.consumerId, ['usage:read', 'annotations:read']);
    await t.admin('PATCH', `/api/v2/admin/manifests/${h.manifestId}`, { scopes: ['usage:read'] });
    const res = await token(h.consumerId, key.key, 'annotations:read');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('invalid_scope');
    const all = await token(h.consumerId, key.key);
    expect((await all.json()).scope).toBe('usage:read');
  });

  it('narrowing the manifest narrows existing keys and tokens at once; widening it back restores only what they had', async () => {
    const h = await hub(['usage:read', 'annotations:read', 'annotations:write']);
    const key = await t.issueKey(h.consumerId, ['usage:read', 'annotations:read']);
    const tok = (await (await token(h.consumerId, key.key)).json()).access_token as string;
    expect(await scopesOf(key.key)).toEqual(['annotations:read', 'usage:read']);
    expect((await t.as(tok, 'GET', '/api/v2/usage')).status).toBe(200);

    await t.admin('PATCH', `/api/v2/admin/manifests/${h.manifestId}`, { scopes: ['annotations:read'] });
    expect(await scopesOf(key.key)).toEqual(['annotations:read']);
    expect(await scopesOf(tok)).toEqual(['annotations:read']);
    for (const credential of [key.key, tok]) {
      const res = await t.as(credential, 'GET', '/api/v2/usage');
      expect(res.status).toBe(403);
      expect((await readProblem(res)).code).toBe('insufficient_scope');
    }

    // Widening never grants more than the key itself was issued with.
    await t.admin('PATCH', `/api/v2/admin/manifests/${h.manifestId}`, { scopes: ['usage:read', 'annotations:read', 'annotations:write', 'admin'] });
    expect(await scopesOf(key.key)).toEqual(['annotations:read', 'usage:read']);
    expect((await t.as(key.key, 'GET', '/api/v2/admin/consumers')).status).toBe(403);
  });

  it('moving a consumer onto a manifest narrows its existing keys at once', async () => {
    const c = await t.consumerWithKey(['usage:read', 'annotations:read']);
    const m = await (await t.admin('POST', '/api/v2/admin/manifests', { name: `late-${Date.now()}`, version: '1', scopes: ['annotations:read'] })).json();
    expect(await scopesOf(c.key)).toEqual(['annotations:read', 'usage:read']);
    expect((await t.admin('PATCH', `/api/v2/admin/consumers/${c.consumerId}`, { hub_capability_manifest_id: m.id })).status).toBe(200);
    expect(await scopesOf(c.key)).toEqual(['annotations:read']);
  });

  it('rotating a hub key keeps only the scopes the manifest still allows', async () => {
    const h = await hub(['usage:read', 'annotations:read']);
    const key = await t.issueKey(h.consumerId, ['usage:read', 'annotations:read']);
    await t.admin('PATCH', `/api/v2/admin/manifests/${h.manifestId}`, { scopes: ['annotations:read'] });
    const res = await t.admin('POST', `/api/v2/admin/consumers/${h.consumerId}/keys/${key.id}/rotate`, {});
    expect(res.status).toBe(201);
    expect((await res.json()).scopes).toEqual(['annotations:read']);
  });

  it('a hub subscribes only to the manifest’s event types', async () => {
    // The key holds both topics' read scopes, so only the manifest's event_types decide.
    const scopes: Scope[] = ['webhooks:manage', 'annotations:read', 'outcome-signals:read'];
    const h = await hub(scopes, ['annotation.created']);
    const key = await t.issueKey(h.consumerId, scopes);
    const ok = await t.as(key.key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: `${t.url}/sink` });
    expect(ok.status).toBe(201);
    const refused = await t.as(key.key, 'POST', '/api/v2/webhook-subscriptions', {
      event_type: 'outcome_signal.created',
      target_url: `${t.url}/sink`,
    });
    expect(refused.status).toBe(422);
    expect((await readProblem(refused)).errors).toEqual([expect.objectContaining({ pointer: '/event_type' })]);
  });
});
