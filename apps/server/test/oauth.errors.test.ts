// The token, introspection and revocation endpoints answer exactly as RFC 6749 §5.2,
// RFC 7662 and RFC 7009 say, over raw HTTP, while keeping the problem-document members.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let consumerId: string;
let keyId: string;
let secret: string;

beforeAll(async () => {
  t = await startTestServer();
  const c = await t.consumerWithKey(['annotations:read', 'usage:read']);
  ({ consumerId, keyId, key: secret } = c);
});
afterAll(() => t?.close());

const basic = (id: string, pw: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(pw)}`).toString('base64')}`;

function post(path: string, form: Record<string, string | string[]>, headers: Record<string, string> = {}) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item);
  return t.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}

const token = (form: Record<string, string | string[]>, headers?: Record<string, string>) => post('/api/v2/token', form, headers);

/** An RFC 6749 §5.2 error: JSON, not cached, with the problem members kept. */
async function expectOAuthError(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('pragma')).toBe('no-cache');
  const body = (await res.json()) as Record<string, unknown>;
  expect(body.error).toBe(error);
  expect(typeof body.error_description).toBe('string');
  expect(body).toMatchObject({ status, request_id: res.headers.get('x-request-id') });
  for (const member of ['type', 'title', 'detail', 'code']) expect(typeof body[member]).toBe('string');
  if (status === 401) expect(res.headers.get('www-authenticate')).toBe('Basic realm="ihf-api", charset="UTF-8"');
  return body;
}

describe('POST /api/v2/token', () => {
  it('answers a token with no-store, as JSON', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(consumerId, secret) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = await res.json();
    expect(body).toEqual({ access_token: expect.stringMatching(/^ihfat_/), token_type: 'Bearer', expires_in: 3600, scope: 'annotations:read usage:read' });
    // Stored hashed, as an oauth row whose parent is the key.
    const [row] = await t.sql`SELECT key_hash, token_type, parent_key_id FROM api_keys WHERE key_prefix = ${body.access_token.split('_')[1] as string}`;
    expect(row).toMatchObject({ token_type: 'oauth', parent_key_id: keyId });
    // The secret part is all 43 characters after the prefix; base64url may contain '_' itself.
    const tokenSecret = body.access_token.slice('ihfat_00000000_'.length);
    expect(tokenSecret).toHaveLength(43);
    expect(row!.key_hash).not.toContain(tokenSecret);
  });

  it('invalid_request when grant_type is missing or repeated', async () => {
    await expectOAuthError(await token({}, { authorization: basic(consumerId, secret) }), 400, 'invalid_request');
    await expectOAuthError(
      await token({ grant_type: ['client_credentials', 'client_credentials'] }, { authorization: basic(consumerId, secret) }),
      400,
      'invalid_request',
    );
  });

  it('unsupported_grant_type for any grant but client_credentials', async () => {
    for (const grant_type of ['password', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:jwt-bearer']) {
      await expectOAuthError(await token({ grant_type }, { authorization: basic(consumerId, secret) }), 400, 'unsupported_grant_type');
    }
  });

  it('invalid_client (401, Basic challenge) for every failed client authentication', async () => {
    const other = await t.consumerWithKey(['usage:read']);
    const revoked = await t.consumerWithKey(['usage:read']);
    await t.admin('POST', `/api/v2/admin/consumers/${revoked.consumerId}/keys/${revoked.keyId}/revoke`);
    const minted = await (await token({ grant_type: 'client_credentials' }, { authorization: basic(consumerId, secret) })).json();
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      ['no credentials', {}, {}],
      ['wrong secret by Basic', {}, { authorization: basic(consumerId, `${secret.slice(0, -1)}x`) }],
      ['wrong secret in body', { client_id: consumerId, client_secret: 'nope' }, {}],
      ['another consumer’s key', {}, { authorization: basic(consumerId, other.key) }],
      ['client_id not a uuid', {}, { authorization: basic('admin', secret) }],
      ['revoked key', {}, { authorization: basic(revoked.consumerId, revoked.key) }],
      ['an access token as the secret', {}, { authorization: basic(consumerId, minted.access_token) }],
      ['the operator token as the secret', {}, { authorization: basic(consumerId, t.adminToken) }],
      ['malformed Basic', {}, { authorization: 'Basic %%%' }],
      ['only client_id in body', { client_id: consumerId }, {}],
    ];
    for (const [name, form, headers] of cases) {
      const body = await expectOAuthError(await token({ grant_type: 'client_credentials', ...form }, headers), 401, 'invalid_client');
      expect(body.error_description, name).not.toContain(secret);
    }
  });

  it('invalid_request when the client authenticates twice (Basic and body)', async () => {
    const res = await token(
      { grant_type: 'client_credentials', client_id: consumerId, client_secret: secret },
      { authorization: basic(consumerId, secret) },
    );
    await expectOAuthError(res, 400, 'invalid_request');
    const otherId = await token(
      { grant_type: 'client_credentials', client_id: '00000000-0000-4000-8000-000000000000' },
      { authorization: basic(consumerId, secret) },
    );
    await expectOAuthError(otherId, 400, 'invalid_request');
  });

  it('accepts Basic with the same client_id repeated in the body, as some clients send', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: consumerId }, { authorization: basic(consumerId, secret) });
    expect(res.status).toBe(200);
  });

  it('invalid_scope for an unknown scope or one beyond the key, never a wider token', async () => {
    for (const scope of ['admin', 'annotations:write', 'usage:read webhooks:manage', 'made-up', 'USAGE:READ']) {
      const res = await token({ grant_type: 'client_credentials', scope }, { authorization: basic(consumerId, secret) });
      await expectOAuthError(res, 400, 'invalid_scope');
    }
  });

  it('415 problem document for a JSON body; 405 for GET', async () => {
    const res = await t.request('/api/v2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(consumerId, secret) },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(res.status).toBe(415);
    await readProblem(res);
    const get = await t.request('/api/v2/token');
    expect(get.status).toBe(405);
    await readProblem(get);
  });
});

describe('introspection and revocation', () => {
  const auth = () => ({ authorization: basic(consumerId, secret) });

  it('introspection needs client authentication', async () => {
    await expectOAuthError(await post('/api/v2/token/introspect', { token: secret }), 401, 'invalid_client');
    await expectOAuthError(await post('/api/v2/token/introspect', {}, auth()), 400, 'invalid_request');
  });

  it('is active for the client’s own live credentials only', async () => {
    const other = await t.consumerWithKey(['usage:read']);
    const ownKey = await (await post('/api/v2/token/introspect', { token: secret }, auth())).json();
    expect(ownKey).toMatchObject({ active: true, client_id: consumerId, credential_type: 'static', scope: 'annotations:read usage:read' });
    for (const foreign of [other.key, 'garbage', `ihfat_00000000_${'A'.repeat(43)}`]) {
      const res = await post('/api/v2/token/introspect', { token: foreign }, auth());
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ active: false });
    }
  });

  it('revocation answers 200 for unknown or foreign tokens and leaves them alone', async () => {
    const other = await t.consumerWithKey(['usage:read']);
    const otherToken = await (await token({ grant_type: 'client_credentials' }, { authorization: basic(other.consumerId, other.key) })).json();
    for (const tok of ['garbage', otherToken.access_token]) {
      const res = await post('/api/v2/token/revoke', { token: tok }, auth());
      expect(res.status).toBe(200);
    }
    expect((await t.as(otherToken.access_token, 'GET', '/api/v2/me')).status).toBe(200);
  });

  it('revokes the client’s token at once; a static key is not revocable here', async () => {
    const minted = await (await token({ grant_type: 'client_credentials' }, auth())).json();
    expect((await t.as(minted.access_token, 'GET', '/api/v2/me')).status).toBe(200);
    expect((await post('/api/v2/token/revoke', { token: minted.access_token, token_type_hint: 'access_token' }, auth())).status).toBe(200);
    const res = await t.as(minted.access_token, 'GET', '/api/v2/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    await expectOAuthError(await post('/api/v2/token/revoke', { token: secret }, auth()), 400, 'unsupported_token_type');
    expect((await t.as(secret, 'GET', '/api/v2/me')).status).toBe(200);
  });
});

describe('RFC 8414 metadata', () => {
  it('lists the endpoints, grant and client authentication methods', async () => {
    const res = await t.request('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    const meta = await res.json();
    expect(meta).toMatchObject({
      issuer: t.url,
      token_endpoint: `${t.url}/api/v2/token`,
      introspection_endpoint: `${t.url}/api/v2/token/introspect`,
      revocation_endpoint: `${t.url}/api/v2/token/revoke`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(meta.scopes_supported).toContain('annotations:read');
  });
});
