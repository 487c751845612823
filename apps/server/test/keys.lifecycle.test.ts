// The life of a credential: expiry, revocation (cascading to OAuth tokens), rotation with
// an admin-chosen grace period, and narrowed tokens. Time is moved with an injected clock.
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

const basic = (id: string, pw: string) => `Basic ${Buffer.from(`${id}:${pw}`).toString('base64')}`;

async function mint(consumerId: string, secret: string, scope?: string) {
  const res = await t.request('/api/v2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(consumerId, secret) },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { access_token: string; expires_in: number; scope: string };
}

async function status(credential: string, path = '/api/v2/me') {
  return (await t.as(credential, 'GET', path)).status;
}

async function refusedWith(credential: string, pattern: RegExp) {
  const res = await t.as(credential, 'GET', '/api/v2/me');
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect((await readProblem(res)).detail).toMatch(pattern);
}

describe('expiry', () => {
  it('an access token stops working after its lifetime', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    const tok = await mint(c.consumerId, c.key);
    advance(tok.expires_in - 5);
    expect(await status(tok.access_token)).toBe(200);
    advance(10);
    await refusedWith(tok.access_token, /expired/);
    expect(await status(c.key)).toBe(200);
  });

  it('a key’s tokens expired over a day ago are deleted when it mints the next one', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    const old = await mint(c.consumerId, c.key);
    advance(old.expires_in + 3600);
    const recent = await mint(c.consumerId, c.key);
    const count = async () => (await t.sql`SELECT count(*)::int AS n FROM api_keys WHERE parent_key_id = ${c.keyId}`)[0]!.n as number;
    expect(await count()).toBe(2); // expired an hour ago: kept
    advance(recent.expires_in + 25 * 3600);
    await mint(c.consumerId, c.key);
    expect(await count()).toBe(1);
    await refusedWith(old.access_token, /Unknown/);
  });

  it('a token never outlives its key; an expired key is refused and mints nothing', async () => {
    const consumer = await t.createConsumer();
    const expires = new Date(clock + 600_000).toISOString();
    const key = await t.issueKey(consumer.id, ['usage:read'], { expires_at: expires });
    const tok = await mint(consumer.id, key.key);
    expect(tok.expires_in).toBe(600);
    advance(601);
    await refusedWith(key.key, /expired/);
    await refusedWith(tok.access_token, /expired/);
    const res = await t.request('/api/v2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(consumer.id, key.key) },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
  });
});

describe('revocation', () => {
  it('revoking a static key revokes every token minted from it, at once', async () => {
    const c = await t.consumerWithKey(['usage:read', 'annotations:read']);
    const sibling = await t.issueKey(c.consumerId, ['usage:read']);
    const tokens = [await mint(c.consumerId, c.key), await mint(c.consumerId, c.key, 'usage:read')];
    const siblingToken = await mint(c.consumerId, sibling.key);
    for (const tok of tokens) expect(await status(tok.access_token)).toBe(200);

    const res = await t.admin('POST', `/api/v2/admin/consumers/${c.consumerId}/keys/${c.keyId}/revoke`);
    expect(res.status).toBe(200);
    expect((await res.json()).revoked_at).not.toBeNull();

    await refusedWith(c.key, /revoked/);
    for (const tok of tokens) await refusedWith(tok.access_token, /revoked/);
    const rows = await t.sql`SELECT revoked_at FROM api_keys WHERE parent_key_id = ${c.keyId}`;
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => r.revoked_at !== null)).toBe(true);
    // Other keys of the same consumer, and their tokens, are untouched.
    expect(await status(sibling.key)).toBe(200);
    expect(await status(siblingToken.access_token)).toBe(200);
  });

  it('deactivating the consumer refuses its keys and tokens', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    const tok = await mint(c.consumerId, c.key);
    expect((await t.admin('POST', `/api/v2/admin/consumers/${c.consumerId}/deactivate`)).status).toBe(200);
    await refusedWith(c.key, /deactivated/);
    await refusedWith(tok.access_token, /deactivated/);
  });
});

describe('rotation', () => {
  async function rotate(consumerId: string, keyId: string, body: Record<string, unknown>) {
    return t.admin('POST', `/api/v2/admin/consumers/${consumerId}/keys/${keyId}/rotate`, body);
  }

  it('issues a successor and keeps the old key (and its tokens) for the chosen grace period only', async () => {
    const c = await t.consumerWithKey(['usage:read', 'annotations:read']);
    const oldToken = await mint(c.consumerId, c.key);
    const res = await rotate(c.consumerId, c.keyId, { grace_period_seconds: 300 });
    expect(res.status).toBe(201);
    const rotated = await res.json();
    expect(rotated.key).toMatch(/^ihfk_/);
    expect(rotated.id).not.toBe(c.keyId);
    expect(rotated.scopes.sort()).toEqual(['annotations:read', 'usage:read']);
    expect(rotated.previous_key).toMatchObject({ id: c.keyId, replaced_by_key_id: rotated.id });
    expect(new Date(rotated.previous_key.expires_at).getTime()).toBe(clock + 300_000);

    // During the grace period both keys work, and so does the old key's token.
    expect(await status(c.key)).toBe(200);
    expect(await status(rotated.key)).toBe(200);
    expect(await status(oldToken.access_token)).toBe(200);
    // A token minted from the old key during the grace period ends with it.
    expect((await mint(c.consumerId, c.key)).expires_in).toBe(300);

    advance(301);
    await refusedWith(c.key, /expired/);
    await refusedWith(oldToken.access_token, /expired/);
    expect(await status(rotated.key)).toBe(200);
    expect(await status((await mint(c.consumerId, rotated.key)).access_token)).toBe(200);
  });

  it('grace 0 ends the old key at once; a key is rotated once; revoked keys and tokens are not rotated', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    const res = await rotate(c.consumerId, c.keyId, { grace_period_seconds: 0 });
    expect(res.status).toBe(201);
    await refusedWith(c.key, /expired/);

    const again = await rotate(c.consumerId, c.keyId, {});
    expect(again.status).toBe(409);
    await readProblem(again);

    const d = await t.consumerWithKey(['usage:read']);
    const tok = await mint(d.consumerId, d.key);
    const [tokenRow] = await t.sql`SELECT id FROM api_keys WHERE key_prefix = ${tok.access_token.split('_')[1]!}`;
    expect((await rotate(d.consumerId, tokenRow!.id, {})).status).toBe(409);
    await t.admin('POST', `/api/v2/admin/consumers/${d.consumerId}/keys/${d.keyId}/revoke`);
    expect((await rotate(d.consumerId, d.keyId, {})).status).toBe(409);
  });

  it('validates the grace period and refuses another consumer’s key', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    const other = await t.createConsumer();
    for (const grace_period_seconds of [-1, 31 * 24 * 3600, 1.5, '60'] as unknown[]) {
      const res = await rotate(c.consumerId, c.keyId, { grace_period_seconds });
      expect(res.status).toBe(422);
      expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/grace_period_seconds' })]);
    }
    expect((await rotate(other.id, c.keyId, {})).status).toBe(404);
  });
});

describe('narrowed tokens', () => {
  it('a token carries only the scopes asked for, and is refused beyond them', async () => {
    const c = await t.consumerWithKey(['usage:read', 'annotations:read']);
    const narrow = await mint(c.consumerId, c.key, 'annotations:read');
    expect(narrow.scope).toBe('annotations:read');
    expect(await status(c.key, '/api/v2/usage')).toBe(200);
    const res = await t.as(narrow.access_token, 'GET', '/api/v2/usage');
    expect(res.status).toBe(403);
    expect((await readProblem(res)).code).toBe('insufficient_scope');
  });

  it('the key list shows tokens with their parent', async () => {
    const c = await t.consumerWithKey(['usage:read']);
    await mint(c.consumerId, c.key);
    const res = await t.admin('GET', `/api/v2/admin/consumers/${c.consumerId}/keys?token_type=oauth`);
    const { data } = await res.json();
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({ token_type: 'oauth', parent_key_id: c.keyId });
  });
});
