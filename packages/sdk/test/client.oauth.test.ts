import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, BadRequestError, createClient } from '../src/index.js';
import { problemResponse } from '../src/testing/index.js';
import { BASE, FAST_RETRY, useMsw } from './msw.js';

const server = useMsw();
const CLIENT_ID = '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a';
const SECRET = 'ihfk_3fa85f64_secret+with/odd=chars';

interface TokenServer {
  issued: string[];
  requests: { authorization: string | null; type: string | null; form: Record<string, string> }[];
  meAuth: (string | null)[];
}

/** A token endpoint that issues tok-1, tok-2, … with the given lifetime, and a /me that accepts only `valid` tokens. */
function tokenServer(expiresIn: number, valid: (token: string) => boolean = () => true): TokenServer {
  const state: TokenServer = { issued: [], requests: [], meAuth: [] };
  server.use(
    http.post(`${BASE}/api/v2/token`, async ({ request }) => {
      state.requests.push({
        authorization: request.headers.get('authorization'),
        type: request.headers.get('content-type'),
        form: Object.fromEntries(new URLSearchParams(await request.text())),
      });
      const token = `tok-${state.issued.length + 1}`;
      state.issued.push(token);
      return HttpResponse.json({ access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: 'annotations:read' });
    }),
    http.get(`${BASE}/api/v2/me`, ({ request }) => {
      const auth = request.headers.get('authorization');
      state.meAuth.push(auth);
      const token = auth?.replace(/^Bearer /, '') ?? '';
      return valid(token)
        ? HttpResponse.json({ token })
        : problemResponse('unauthenticated', 'The access token has expired', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    }),
  );
  return state;
}

const oauthClient = () =>
  createClient({ baseUrl: BASE, clientId: CLIENT_ID, clientSecret: SECRET, scope: ['annotations:read', 'me'], retry: FAST_RETRY });

describe('OAuth client credentials', () => {
  it('fetches a token with HTTP Basic client auth and a form body (RFC 6749 §4.4), then uses it', async () => {
    const state = tokenServer(3600);
    await expect(oauthClient().me.get()).resolves.toEqual({ token: 'tok-1' });
    expect(state.requests).toHaveLength(1);
    const [req] = state.requests;
    expect(req!.type).toBe('application/x-www-form-urlencoded');
    expect(req!.form).toEqual({ grant_type: 'client_credentials', scope: 'annotations:read me' });
    // §2.3.1: id and secret are form-encoded before base64.
    const decoded = atob(req!.authorization!.replace(/^Basic /, ''));
    expect(decoded).toBe(`${CLIENT_ID}:${encodeURIComponent(SECRET)}`);
    expect(state.meAuth).toEqual(['Bearer tok-1']);
  });

  it('reuses the token while valid and shares one token fetch between concurrent calls', async () => {
    const state = tokenServer(3600);
    const c = oauthClient();
    await Promise.all([c.me.get(), c.me.get(), c.me.get()]);
    await c.me.get();
    expect(state.requests).toHaveLength(1);
    expect(state.meAuth).toEqual(Array(4).fill('Bearer tok-1'));
  });

  it('refreshes the token before it expires', async () => {
    // expires_in 1 s: refreshed 10% (100 ms) before expiry.
    const state = tokenServer(1);
    const c = oauthClient();
    await c.me.get();
    await c.me.get();
    await new Promise((r) => setTimeout(r, 950));
    await c.me.get();
    expect(state.meAuth).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-2']);
    expect(state.requests).toHaveLength(2);
  });

  it('on a 401 (token revoked or expired early) fetches a new token and retries once', async () => {
    const state = tokenServer(3600, (t) => t !== 'tok-1');
    await expect(oauthClient().me.get()).resolves.toEqual({ token: 'tok-2' });
    expect(state.meAuth).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('retries a 401 only once, then throws AuthenticationError', async () => {
    const state = tokenServer(3600, () => false);
    const error = await oauthClient().me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).headers.get('www-authenticate')).toContain('invalid_token');
    expect(state.meAuth).toHaveLength(2);
    expect(state.requests).toHaveLength(2);
  });

  it('never retries a 401 with a static API key', async () => {
    const state = tokenServer(3600, () => false);
    const c = createClient({ baseUrl: BASE, apiKey: 'ihfk_00000000_x', retry: FAST_RETRY });
    await expect(c.me.get()).rejects.toBeInstanceOf(AuthenticationError);
    expect(state.meAuth).toEqual(['Bearer ihfk_00000000_x']);
    expect(state.requests).toHaveLength(0);
  });

  it('surfaces an RFC 6749 §5.2 token error as a typed error with the OAuth code', async () => {
    server.use(
      http.post(`${BASE}/api/v2/token`, () =>
        HttpResponse.json({ error: 'invalid_scope', error_description: 'admin is not granted' }, { status: 400, headers: { 'x-request-id': 'req-9' } }),
      ),
    );
    const error = await oauthClient().me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_scope', detail: 'admin is not granted', requestId: 'req-9' });
  });

  it('retries the token request itself on 5xx', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/token`, () => {
        calls++;
        return calls === 1 ? problemResponse('service_unavailable') : HttpResponse.json({ access_token: 'tok-x', token_type: 'Bearer', expires_in: 60 });
      }),
      http.get(`${BASE}/api/v2/me`, ({ request }) => HttpResponse.json({ auth: request.headers.get('authorization') })),
    );
    await expect(oauthClient().me.get()).resolves.toEqual({ auth: 'Bearer tok-x' });
    expect(calls).toBe(2);
  });
});
