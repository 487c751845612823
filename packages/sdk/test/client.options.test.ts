import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { contract, type RouteMetadata } from '@ihf/contract';
import { createClient, IhfTimeoutError, InternalServerError, RateLimitError, VERSION, type FetchLike } from '../src/index.js';
import { fixture, problemResponse } from '../src/testing/index.js';
import { BASE, FAST_RETRY, useMsw } from './msw.js';

const server = useMsw();
const API_KEY = 'ihfk_00000000_test';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const slow = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('custom fetch', () => {
  it('is per client, and carries the OAuth token requests too', async () => {
    server.use(
      http.post(`${BASE}/api/v2/token`, () => HttpResponse.json({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 })),
      http.get(`${BASE}/api/v2/me`, () => HttpResponse.json({ ok: true })),
    );
    const seenA: string[] = [];
    const seenB: string[] = [];
    const via = (seen: string[]): FetchLike => (url, init) => {
      seen.push(`${init.method} ${new URL(url).pathname}`);
      return globalThis.fetch(url, init);
    };
    const a = createClient({ baseUrl: BASE, clientId: 'c1', clientSecret: 's1', fetch: via(seenA) });
    const b = createClient({ baseUrl: BASE, apiKey: API_KEY, fetch: via(seenB) });
    await a.me.get();
    await b.me.get();
    expect(seenA).toEqual(['POST /api/v2/token', 'GET /api/v2/me']);
    expect(seenB).toEqual(['GET /api/v2/me']);
  });
});

describe('per-call overrides', () => {
  it('maxRetries per call wins over the client’s, both ways', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return problemResponse('service_unavailable');
      }),
    );
    await expect(createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, maxRetries: 3 }).me.get(undefined, { maxRetries: 0 })).rejects.toBeInstanceOf(InternalServerError);
    expect(calls).toBe(1);
    calls = 0;
    await expect(createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, maxRetries: 0 }).me.get(undefined, { maxRetries: 2 })).rejects.toBeInstanceOf(InternalServerError);
    expect(calls).toBe(3);
  });

  it('an idempotency key per call is sent on the create and reused by its retries', async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post(`${BASE}/api/v2/admin/interaction-types`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return keys.length === 1 ? HttpResponse.error() : HttpResponse.json(fixture('admin.interactionTypes.create'), { status: 201 });
      }),
    );
    const c = createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY });
    await c.admin.interactionTypes.create({ body: { name: 'scrolled' } }, { idempotencyKey: 'scrolled-v1' });
    expect(keys).toEqual(['scrolled-v1', 'scrolled-v1']);
  });
});

describe('retries of admin creates follow the route’s idempotency metadata', () => {
  const route = contract.admin.interactionTypes.create;

  it('admin.interactionTypes.create honours Idempotency-Key, so the client declares it resendable', () => {
    expect((route.metadata as RouteMetadata).idempotent).toBe(true);
  });

  it('is resent after a network error and a 5xx with the same key, and resolves to the created type', async () => {
    const keys: (string | null)[] = [];
    const created = fixture('admin.interactionTypes.create');
    server.use(
      http.post(`${BASE}/api/v2/admin/interaction-types`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        if (keys.length === 1) return HttpResponse.error();
        if (keys.length === 2) return problemResponse('internal_error');
        return HttpResponse.json(created, { status: 201, headers: { 'idempotent-replayed': 'true' } });
      }),
    );
    const c = createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY });
    await expect(c.admin.interactionTypes.create({ body: { name: 'scrolled' } })).resolves.toEqual(created);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });
});

describe('totalTimeoutMs: one deadline across attempts and waits', () => {
  const c = (extra: Record<string, unknown> = {}) => createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, ...extra });
  /** GET /me answering `answer()` every time; counts the calls. */
  const me = (answer: () => Response | Promise<Response>) => {
    const state = { calls: 0 };
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        state.calls++;
        return answer();
      }),
    );
    return state;
  };
  const hanging = async () => {
    await slow(2_000);
    return HttpResponse.json({});
  };

  it('cuts an attempt that runs into it, even under a longer per-attempt timeout, and starts no other', async () => {
    const state = me(hanging);
    const started = Date.now();
    const error = await c({ timeoutMs: 10_000, maxRetries: 5, totalTimeoutMs: 150 }).me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IhfTimeoutError);
    expect((error as Error).message).toContain('deadline');
    expect(state.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('spans retries: attempts that each fit their timeout stop once the budget is spent', async () => {
    const state = me(hanging);
    const started = Date.now();
    await expect(c({ timeoutMs: 100, maxRetries: 10, totalTimeoutMs: 350 }).me.get()).rejects.toBeInstanceOf(IhfTimeoutError);
    expect(state.calls).toBeGreaterThanOrEqual(2);
    expect(state.calls).toBeLessThanOrEqual(4);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('does not start a backoff that would end past it: the failure in hand is thrown at once', async () => {
    const state = me(() => problemResponse('service_unavailable'));
    const started = Date.now();
    const error = await c({ retry: { initialDelayMs: 5_000, maxDelayMs: 5_000 }, totalTimeoutMs: 1_000 }).me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(state.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('clips Retry-After to it: a 429 asking for longer than what is left is thrown at once', async () => {
    const state = me(() => problemResponse('rate_limited', 'slow down', { headers: { 'retry-after': '2' } }));
    const started = Date.now();
    const error = await c({ totalTimeoutMs: 1_000 }).me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterSeconds).toBe(2);
    expect(state.calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('waits a Retry-After that fits, and a per-call value overrides the client’s', async () => {
    const state = me(() => (state.calls === 1 ? problemResponse('rate_limited', 'slow down', { headers: { 'retry-after': '1' } }) : HttpResponse.json({ ok: true })));
    const client = c({ totalTimeoutMs: 500 });
    await expect(client.me.get(undefined, { totalTimeoutMs: 5_000 })).resolves.toEqual({ ok: true });
    expect(state.calls).toBe(2);
  });

  it('bounds the wait on a 409 idempotency_in_progress', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/annotations`, () => {
        calls++;
        return problemResponse('idempotency_in_progress', undefined, { headers: { 'retry-after': '1' } });
      }),
    );
    const started = Date.now();
    await expect(c().annotations.create({ body: { body: 'x', labels: [] } }, { totalTimeoutMs: 300 })).rejects.toMatchObject({ code: 'idempotency_in_progress' });
    expect(calls).toBe(1);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('counts the OAuth token fetch', async () => {
    server.use(
      http.post(`${BASE}/api/v2/token`, async () => {
        await slow(2_000);
        return HttpResponse.json({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 });
      }),
    );
    const started = Date.now();
    const oauth = createClient({ baseUrl: BASE, clientId: 'c1', clientSecret: 's1', totalTimeoutMs: 150 });
    await expect(oauth.me.get()).rejects.toBeInstanceOf(IhfTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('client identification', () => {
  it('VERSION is the package version, sent as X-IHF-Client and in User-Agent, on the token request too', async () => {
    expect(VERSION).toBe(pkg.version);
    const seen: { path: string; client: string | null; agent: string | null }[] = [];
    const record = (request: Request) => seen.push({ path: new URL(request.url).pathname, client: request.headers.get('x-ihf-client'), agent: request.headers.get('user-agent') });
    server.use(
      http.post(`${BASE}/api/v2/token`, ({ request }) => {
        record(request);
        return HttpResponse.json({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 });
      }),
      http.get(`${BASE}/api/v2/me`, ({ request }) => {
        record(request);
        return HttpResponse.json({});
      }),
    );
    await createClient({ baseUrl: BASE, clientId: 'c1', clientSecret: 's1' }).me.get();
    expect(seen).toEqual([
      { path: '/api/v2/token', client: `ihf-sdk-js/${pkg.version}`, agent: `ihf-sdk-js/${pkg.version} node/${process.versions.node}` },
      { path: '/api/v2/me', client: `ihf-sdk-js/${pkg.version}`, agent: `ihf-sdk-js/${pkg.version} node/${process.versions.node}` },
    ]);
  });

  it('in a browser, sets only X-IHF-Client (the browser owns User-Agent)', async () => {
    vi.stubGlobal('navigator', { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0' });
    try {
      let agent: string | null = null;
      let client: string | null = null;
      // A fetch that shows what the SDK asked for (Node's own fetch would add its User-Agent).
      const fetch: FetchLike = async (_url, init) => {
        const headers = new Headers(init.headers);
        agent = headers.get('user-agent');
        client = headers.get('x-ihf-client');
        return HttpResponse.json({});
      };
      await createClient({ baseUrl: BASE, apiKey: API_KEY, fetch }).me.get();
      expect(client).toBe(`ihf-sdk-js/${pkg.version}`);
      expect(agent).toBeNull();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
