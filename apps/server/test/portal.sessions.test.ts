// Portal sessions: the link an operator or a consumer mints for the consumer portal, and
// the short-lived `portal` credential it carries (expiry, revocation, its ties to the
// credential that minted it, what it may subscribe to). Time moves with an injected clock.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let clock = Date.now();
const advance = (seconds: number) => {
  clock += seconds * 1000;
};

beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(clock) });
});
afterAll(() => t?.close());

interface Session {
  id: string;
  consumer_id: string;
  url: string;
  key_prefix: string;
  scopes: string[];
  expires_at: string;
}

const tokenOf = (s: Session) => new URL(s.url).hash.replace(/^#token=/, '');

async function adminSession(consumerId: string, body: Record<string, unknown> = {}): Promise<Session> {
  const res = await t.admin('POST', `/api/v2/admin/consumers/${consumerId}/portal-sessions`, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Session;
}

async function selfSession(credential: string, body: Record<string, unknown> = {}): Promise<Session> {
  const res = await t.as(credential, 'POST', '/api/v2/portal-sessions', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Session;
}

async function refusedWith(credential: string, pattern: RegExp) {
  const res = await t.as(credential, 'GET', '/api/v2/me');
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect((await readProblem(res)).detail).toMatch(pattern);
}

async function forbidden(res: Response, code: 'forbidden' | 'insufficient_scope') {
  expect(res.status).toBe(403);
  return expect((await readProblem(res)).code).toBe(code);
}

describe('an operator’s portal link', () => {
  it('carries a hashed portal credential in the URL fragment, never in the query string', async () => {
    const consumer = await t.createConsumer();
    const session = await adminSession(consumer.id);
    const url = new URL(session.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${t.url}/portal`);
    expect(url.search).toBe('');
    const token = tokenOf(session);
    expect(token).toMatch(/^ihfpt_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(token.split('_')[1]).toBe(session.key_prefix);
    expect(session).toMatchObject({
      consumer_id: consumer.id,
      scopes: ['webhooks:manage', 'usage:read'],
      expires_at: new Date(clock + 3600_000).toISOString(),
    });

    const rows = await t.sql`SELECT * FROM api_keys WHERE id = ${session.id}`;
    expect(rows[0]).toMatchObject({
      token_type: 'portal',
      api_consumer_id: consumer.id,
      key_hash: createHash('sha256').update(token).digest('hex'),
      parent_key_id: null,
    });
    expect(JSON.stringify(rows)).not.toContain(token.slice('ihfpt_00000000_'.length));

    const me = await t.as(token, 'GET', '/api/v2/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      consumer: { id: consumer.id },
      credential: { id: session.id, token_type: 'portal', key_prefix: session.key_prefix },
      scopes: ['webhooks:manage', 'usage:read'],
    });
    expect((await t.as(token, 'GET', '/api/v2/usage')).status).toBe(200);
    expect((await t.as(token, 'GET', '/api/v2/webhook-subscriptions')).status).toBe(200);
  });

  it('is listed among the consumer’s keys as token_type portal', async () => {
    const consumer = await t.createConsumer();
    const session = await adminSession(consumer.id);
    const res = await t.admin('GET', `/api/v2/admin/consumers/${consumer.id}/keys?token_type=portal`);
    const { data } = (await res.json()) as { data: Record<string, unknown>[] };
    expect(data).toEqual([expect.objectContaining({ id: session.id, token_type: 'portal', key_prefix: session.key_prefix })]);
  });

  it('takes ttl_seconds from 60 to 86400', async () => {
    const consumer = await t.createConsumer();
    const day = await adminSession(consumer.id, { ttl_seconds: 86_400 });
    expect(day.expires_at).toBe(new Date(clock + 86_400_000).toISOString());
    for (const ttl_seconds of [59, 86_401, 1.5, '600']) {
      const res = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/portal-sessions`, { ttl_seconds });
      expect(res.status).toBe(422);
      const errors = (await readProblem(res)).errors as { pointer: string }[];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.pointer === '/ttl_seconds')).toBe(true);
    }
  });

  it('is refused for an unknown or deactivated consumer', async () => {
    const missing = await t.admin('POST', '/api/v2/admin/consumers/00000000-0000-4000-8000-000000000000/portal-sessions', {});
    expect(missing.status).toBe(404);
    const consumer = await t.createConsumer();
    await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/deactivate`);
    const res = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/portal-sessions`, {});
    expect(res.status).toBe(409);
    await readProblem(res);
  });

  it('replays the same link for the same Idempotency-Key, minting one credential', async () => {
    const consumer = await t.createConsumer();
    const post = () =>
      fetch(`${t.url}/api/v2/admin/consumers/${consumer.id}/portal-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json', 'idempotency-key': 'portal-1' },
        body: JSON.stringify({ ttl_seconds: 600 }),
      });
    const first = await post();
    const second = await post();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    const [row] = await t.sql`SELECT count(*)::int AS n FROM api_keys WHERE api_consumer_id = ${consumer.id} AND token_type = 'portal'`;
    expect(row!.n).toBe(1);
  });

  it('uses PUBLIC_BASE_URL for the link when it is set', async () => {
    const other = await startTestServer({ database: t.db, env: { PUBLIC_BASE_URL: 'https://portal.example.test/' } });
    try {
      const consumer = await other.createConsumer();
      const res = await other.admin('POST', `/api/v2/admin/consumers/${consumer.id}/portal-sessions`, {});
      const session = (await res.json()) as Session;
      expect(session.url).toMatch(/^https:\/\/portal\.example\.test\/portal#token=ihfpt_/);
    } finally {
      await other.close();
    }
  });
});

describe('a consumer’s own portal link', () => {
  it('needs webhooks:manage and carries only the portal scopes its credential has', async () => {
    const narrow = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const session = await selfSession(narrow.key);
    expect(session.scopes).toEqual(['webhooks:manage']);
    await forbidden(await t.as(tokenOf(session), 'GET', '/api/v2/usage'), 'insufficient_scope');
    const [row] = await t.sql`SELECT parent_key_id FROM api_keys WHERE id = ${session.id}`;
    expect(row!.parent_key_id).toBe(narrow.keyId);

    const full = await t.consumerWithKey(['webhooks:manage', 'usage:read']);
    expect((await selfSession(full.key)).scopes).toEqual(['webhooks:manage', 'usage:read']);

    const without = await t.consumerWithKey(['usage:read']);
    await forbidden(await t.as(without.key, 'POST', '/api/v2/portal-sessions', {}), 'insufficient_scope');
  });

  it('never outlives the credential that minted it', async () => {
    const consumer = await t.createConsumer();
    const key = await t.issueKey(consumer.id, ['webhooks:manage'], { expires_at: new Date(clock + 600_000).toISOString() });
    const session = await selfSession(key.key, { ttl_seconds: 3600 });
    expect(session.expires_at).toBe(new Date(clock + 600_000).toISOString());

    const c = await t.consumerWithKey(['webhooks:manage']);
    const tied = await selfSession(c.key);
    expect((await t.as(tokenOf(tied), 'GET', '/api/v2/me')).status).toBe(200);
    expect((await t.admin('POST', `/api/v2/admin/consumers/${c.consumerId}/keys/${c.keyId}/revoke`)).status).toBe(200);
    await refusedWith(tokenOf(tied), /revoked/);
  });

  it('cannot be minted by a portal credential', async () => {
    const consumer = await t.createConsumer();
    const portal = tokenOf(await adminSession(consumer.id));
    await forbidden(await t.as(portal, 'POST', '/api/v2/portal-sessions', {}), 'forbidden');
  });
});

describe('the portal credential’s life', () => {
  it('expires after its lifetime', async () => {
    const consumer = await t.createConsumer();
    const token = tokenOf(await adminSession(consumer.id, { ttl_seconds: 120 }));
    advance(119);
    expect((await t.as(token, 'GET', '/api/v2/me')).status).toBe(200);
    advance(2);
    await refusedWith(token, /expired/);
  });

  it('signs out: DELETE /portal-sessions/current revokes it at once, and only it', async () => {
    const consumer = await t.createConsumer();
    const token = tokenOf(await adminSession(consumer.id));
    const sibling = tokenOf(await adminSession(consumer.id));
    expect((await t.as(token, 'GET', '/api/v2/me')).status).toBe(200); // cached now
    const res = await t.as(token, 'DELETE', '/api/v2/portal-sessions/current');
    expect(res.status).toBe(204);
    await refusedWith(token, /revoked/);
    expect((await t.as(sibling, 'GET', '/api/v2/me')).status).toBe(200);
  });

  it('signing out is for portal credentials only', async () => {
    const { key } = await t.consumerWithKey(['webhooks:manage']);
    await forbidden(await t.as(key, 'DELETE', '/api/v2/portal-sessions/current'), 'forbidden');
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    await forbidden(await t.as(t.adminToken, 'DELETE', '/api/v2/portal-sessions/current'), 'forbidden');
  });

  it('is revoked by an admin’s key revocation', async () => {
    const consumer = await t.createConsumer();
    const session = await adminSession(consumer.id);
    expect((await t.as(tokenOf(session), 'GET', '/api/v2/me')).status).toBe(200);
    const res = await t.admin('POST', `/api/v2/admin/consumers/${consumer.id}/keys/${session.id}/revoke`);
    expect(res.status).toBe(200);
    await refusedWith(tokenOf(session), /revoked/);
  });

  it('is revoked and introspected by its consumer through the OAuth endpoints', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    const token = tokenOf(await adminSession(c.consumerId));
    const form = (path: string, body: Record<string, string>) =>
      t.request(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${c.consumerId}:${c.key}`).toString('base64')}`,
        },
        body: new URLSearchParams(body),
      });
    const introspected = await (await form('/api/v2/token/introspect', { token })).json();
    expect(introspected).toMatchObject({ active: true, credential_type: 'portal', client_id: c.consumerId, scope: 'webhooks:manage usage:read' });
    expect((await form('/api/v2/token/revoke', { token })).status).toBe(200);
    await refusedWith(token, /revoked/);
    expect(await (await form('/api/v2/token/introspect', { token })).json()).toEqual({ active: false });
  });

  it('is pruned a day after it expired, when its consumer mints the next one', async () => {
    const consumer = await t.createConsumer();
    const old = await adminSession(consumer.id, { ttl_seconds: 60 });
    advance(3600);
    await adminSession(consumer.id);
    const exists = async (id: string) => (await t.sql`SELECT 1 FROM api_keys WHERE id = ${id}`).length === 1;
    expect(await exists(old.id)).toBe(true);
    advance(25 * 3600);
    await adminSession(consumer.id);
    expect(await exists(old.id)).toBe(false);
    await refusedWith(tokenOf(old), /Unknown/);
  });
});

describe('one consumer only', () => {
  it('sees and changes only its own consumer’s subscriptions (another’s are 404)', async () => {
    const a = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const b = await t.consumerWithKey(['webhooks:manage', 'annotations:read']);
    const created = await t.as(b.key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/b' });
    const bSub = ((await created.json()) as { id: string }).id;
    const portal = tokenOf(await adminSession(a.consumerId));
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
    const portal = tokenOf(await adminSession(c.consumerId));
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
    const later = tokenOf(await adminSession(c.consumerId));
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
    const portal = tokenOf(await adminSession(hub.consumerId));
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
