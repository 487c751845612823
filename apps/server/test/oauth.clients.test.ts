// Independent OAuth client libraries from npm run the client-credentials flow against
// the real server (discovery via RFC 8414, token, call the API, introspect, revoke).
import { OAuth2Client } from '@badgateway/oauth2-client';
import * as oauth from 'oauth4webapi';
import * as openid from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let consumerId: string;
let secret: string;

beforeAll(async () => {
  t = await startTestServer();
  const c = await t.consumerWithKey(['annotations:read', 'usage:read']);
  consumerId = c.consumerId;
  secret = c.key;
});
afterAll(() => t?.close());

async function me(token: string) {
  const res = await t.as(token, 'GET', '/api/v2/me');
  expect(res.status).toBe(200);
  return (await res.json()) as { consumer: { id: string }; scopes: string[]; credential: { token_type: string } };
}

describe('oauth4webapi', () => {
  const insecure = { [oauth.allowInsecureRequests]: true };

  async function discover() {
    const issuer = new URL(t.url);
    const res = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure });
    return oauth.processDiscoveryResponse(issuer, res);
  }

  it('discovers the endpoints from RFC 8414 metadata', async () => {
    const as = await discover();
    expect(as.token_endpoint).toBe(`${t.url}/api/v2/token`);
    expect(as.grant_types_supported).toEqual(['client_credentials']);
  });

  for (const [name, auth] of [
    ['client_secret_basic', () => oauth.ClientSecretBasic(secret)],
    ['client_secret_post', () => oauth.ClientSecretPost(secret)],
  ] as const) {
    it(`gets a narrowed token with ${name} and calls the API with it`, async () => {
      const as = await discover();
      const client: oauth.Client = { client_id: consumerId };
      const res = await oauth.clientCredentialsGrantRequest(as, client, auth(), new URLSearchParams({ scope: 'usage:read' }), insecure);
      const tokens = await oauth.processClientCredentialsResponse(as, client, res);
      expect(tokens.token_type).toBe('bearer'); // oauth4webapi lower-cases it
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.scope).toBe('usage:read');
      expect(tokens.access_token).toMatch(/^ihfat_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
      const body = await me(tokens.access_token);
      expect(body.consumer.id).toBe(consumerId);
      expect(body.scopes).toEqual(['usage:read']);
      expect(body.credential.token_type).toBe('oauth');
    });
  }

  it('sees a wrong secret as a 401 with a Basic challenge it can parse', async () => {
    const as = await discover();
    const client: oauth.Client = { client_id: consumerId };
    const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic('ihfk_00000000_' + 'A'.repeat(43)), new URLSearchParams(), insecure);
    expect(await res.clone().json()).toMatchObject({ error: 'invalid_client' });
    const err = await oauth.processClientCredentialsResponse(as, client, res).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    const challenge = err as oauth.WWWAuthenticateChallengeError;
    expect(challenge.status).toBe(401);
    expect(challenge.cause[0]).toMatchObject({ scheme: 'basic', parameters: { realm: 'ihf-api' } });
  });
});

describe('openid-client', () => {
  async function configure(auth: openid.ClientAuth) {
    return openid.discovery(new URL(t.url), consumerId, undefined, auth, {
      algorithm: 'oauth2',
      execute: [openid.allowInsecureRequests],
    });
  }

  it('gets a token, introspects it, revokes it, and the API refuses it after', async () => {
    const config = await configure(openid.ClientSecretPost(secret));
    const tokens = await openid.clientCredentialsGrant(config, { scope: 'annotations:read usage:read' });
    expect(tokens.scope).toBe('annotations:read usage:read');
    expect((await me(tokens.access_token)).scopes.sort()).toEqual(['annotations:read', 'usage:read']);

    const info = await openid.tokenIntrospection(config, tokens.access_token);
    expect(info.active).toBe(true);
    expect(info.client_id).toBe(consumerId);
    expect(info.scope).toBe('annotations:read usage:read');
    expect(typeof info.exp).toBe('number');

    await openid.tokenRevocation(config, tokens.access_token);
    const res = await t.as(tokens.access_token, 'GET', '/api/v2/me');
    expect(res.status).toBe(401);
    expect((await openid.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  it('with HTTP Basic and no scope, the token carries every scope of the key', async () => {
    const config = await configure(openid.ClientSecretBasic(secret));
    const tokens = await openid.clientCredentialsGrant(config);
    expect(tokens.scope?.split(' ').sort()).toEqual(['annotations:read', 'usage:read']);
  });

  it('surfaces invalid_scope for a scope beyond the key', async () => {
    const config = await configure(openid.ClientSecretBasic(secret));
    const err = await openid.clientCredentialsGrant(config, { scope: 'admin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(openid.ResponseBodyError);
    expect((err as openid.ResponseBodyError).error).toBe('invalid_scope');
  });
});

describe('@badgateway/oauth2-client', () => {
  it('gets a token with client_secret_basic and one with client_secret_post', async () => {
    for (const authenticationMethod of ['client_secret_basic', 'client_secret_post'] as const) {
      const client = new OAuth2Client({
        server: `${t.url}/`,
        clientId: consumerId,
        clientSecret: secret,
        tokenEndpoint: '/api/v2/token',
        authenticationMethod,
      });
      const token = await client.clientCredentials({ scope: ['annotations:read'] });
      expect(token.accessToken).toMatch(/^ihfat_/);
      expect(token.expiresAt).toBeGreaterThan(Date.now());
      expect((await me(token.accessToken)).scopes).toEqual(['annotations:read']);
    }
  });
});
