// Over 300 lines: every retry rule (network, 429, 5xx, idempotency, deadlines) against one msw server
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { contract, type RouteMetadata } from '@ihf/contract';
import { isAppRoute, type AppRouter } from '@ts-rest/core';
import {
  ConflictError,
  createClient,
  IhfConnectionError,
  IhfTimeoutError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  ValidationError,
  type IhfClient,
  type RequestOptions,
} from '../src/index.js';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../src/retry.js';
import { fixture, problemResponse } from '../src/testing/index.js';
import { BASE, FAST_RETRY, useMsw } from './msw.js';

const server = useMsw();
const client = (extra: Partial<Parameters<typeof createClient>[0]> = {}) =>
  createClient({ baseUrl: BASE, apiKey: 'ihfk_00000000_test', retry: FAST_RETRY, ...extra } as Parameters<typeof createClient>[0]);

const consumer = {
  id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
  name: 'Acme',
};
const annotation = fixture('annotations.create');

type Method = (args: object, options?: RequestOptions) => Promise<unknown>;

/** Every POST of the contract, with its client method called with dummy path params. */
function postRoutes(router: AppRouter = contract, path: string[] = []): { name: string; idempotent: boolean; call: (c: IhfClient) => Promise<unknown> }[] {
  return Object.entries(router).flatMap(([key, entry]) => {
    if (!isAppRoute(entry)) return postRoutes(entry, [...path, key]);
    if (entry.method !== 'POST') return [];
    const names = [...path, key];
    const params = Object.fromEntries([...entry.path.matchAll(/:(\w+)/g)].map((m) => [m[1], consumer.id]));
    const call = (c: IhfClient) => (names.reduce<unknown>((node, n) => (node as Record<string, unknown>)[n], c) as Method)({ params, body: {} });
    return [{ name: names.join('.'), idempotent: (entry.metadata as RouteMetadata | undefined)?.idempotent === true, call }];
  });
}

describe('retries', () => {
  it('retries 5xx and resolves with the eventual success', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/admin/consumers/:id`, () => {
        calls++;
        return calls < 3 ? problemResponse('service_unavailable') : HttpResponse.json(consumer);
      }),
    );
    const got = await client().admin.consumers.get({ params: { consumerId: consumer.id } });
    expect(got).toMatchObject(consumer);
    expect(calls).toBe(3);
  });

  it('retries network errors, then throws IhfConnectionError when the retries are spent', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return HttpResponse.error();
      }),
    );
    await expect(client({ maxRetries: 2 }).me.get()).rejects.toBeInstanceOf(IhfConnectionError);
    expect(calls).toBe(3);
  });

  it('gives up after maxRetries with the last 5xx as InternalServerError carrying the request id', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return problemResponse('internal_error');
      }),
    );
    const error = await client({ maxRetries: 1 }).me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(500);
    expect((error as InternalServerError).requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls).toBe(2);
  });

  it.each([400, 401, 403, 404, 409, 422])('never retries a %i', async (status) => {
    let calls = 0;
    const code = { 400: 'bad_request', 401: 'unauthenticated', 403: 'insufficient_scope', 404: 'not_found', 409: 'conflict', 422: 'validation_failed' } as const;
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return problemResponse(code[status as keyof typeof code]);
      }),
    );
    const error = await client().me.get().catch((e: unknown) => e);
    expect((error as { status: number }).status).toBe(status);
    expect(calls).toBe(1);
  });

  it('honours Retry-After on 429', async () => {
    const seen: number[] = [];
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        seen.push(Date.now());
        return seen.length === 1
          ? problemResponse('rate_limited', 'slow down', { headers: { 'retry-after': '1' } })
          : HttpResponse.json({ ok: true });
      }),
    );
    await client().me.get();
    expect(seen).toHaveLength(2);
    // FAST_RETRY's backoff is at most 40 ms: only Retry-After explains a wait of ~1 s.
    expect(seen[1]! - seen[0]!).toBeGreaterThanOrEqual(950);
  });

  it('throws a 429 at once when Retry-After is longer than maxRetryAfterMs (e.g. a daily quota)', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return problemResponse('quota_exceeded', 'quota spent', { headers: { 'retry-after': '3600' } });
      }),
    );
    const error = await client().me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).code).toBe('quota_exceeded');
    expect((error as RateLimitError).retryAfterSeconds).toBe(3600);
    expect(calls).toBe(1);
  });

  it('waits longer before each retry (exponential backoff)', async () => {
    const seen: number[] = [];
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        seen.push(performance.now());
        return problemResponse('service_unavailable');
      }),
    );
    await client({ maxRetries: 3, retry: { initialDelayMs: 40, maxDelayMs: 10_000, maxRetryAfterMs: 1_000 } })
      .me.get()
      .catch(() => undefined);
    const gaps = seen.slice(1).map((t, i) => t - seen[i]!);
    expect(gaps).toHaveLength(3);
    // Equal jitter: retry n waits between half and all of 40·2^n ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(19);
    expect(gaps[1]).toBeGreaterThanOrEqual(39);
    expect(gaps[2]).toBeGreaterThanOrEqual(79);
  });
});

describe('backoffDelay', () => {
  it('doubles per retry, is capped, and jitters within [half, full] of the capped delay', () => {
    const p = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, p, () => 0))).toEqual([50, 100, 200, 400, 500]);
    const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(2, p)));
    expect(spread.size).toBeGreaterThan(1);
  });
});

describe('idempotency keys', () => {
  it('puts one Idempotency-Key on a POST and reuses it on every retry', async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post(`${BASE}/api/v2/annotations`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return keys.length < 3 ? HttpResponse.error() : HttpResponse.json(annotation, { status: 201 });
      }),
    );
    await client().annotations.create({ body: { body: 'Save button is hidden', labels: [] } });
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('uses a fresh key per call, the caller’s key when given, and none on GET', async () => {
    const keys: (string | null)[] = [];
    server.use(
      http.post(`${BASE}/api/v2/admin/consumers`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return HttpResponse.json(consumer, { status: 201 });
      }),
      http.get(`${BASE}/api/v2/me`, ({ request }) => {
        keys.push(request.headers.get('idempotency-key'));
        return HttpResponse.json({});
      }),
    );
    const c = client();
    await c.admin.consumers.create({ body: { name: 'a' } });
    await c.admin.consumers.create({ body: { name: 'b' } });
    await c.admin.consumers.create({ body: { name: 'c' } }, { idempotencyKey: 'order-42' });
    await c.me.get();
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[2]).toBe('order-42');
    expect(keys[3]).toBeNull();
  });
});

describe('POSTs are resent after an ambiguous failure only where the server honours Idempotency-Key', () => {
  const routes = postRoutes();
  const [plain] = routes.filter((r) => !r.idempotent);

  it('the contract has POSTs of both kinds, so the tests below test both', () => {
    expect(routes.filter((r) => r.idempotent).length).toBeGreaterThan(0);
    expect(plain).toBeDefined();
  });

  it.each(routes)('$name (idempotent: $idempotent) after a network error', async ({ idempotent, call }) => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/*`, () => {
        calls++;
        return HttpResponse.error();
      }),
    );
    await expect(call(client())).rejects.toBeInstanceOf(IhfConnectionError);
    expect(calls).toBe(idempotent ? 3 : 1);
  });

  it('a route without it is not resent after a 5xx or a timeout either: either may have been applied', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/*`, async () => {
        calls++;
        if (calls === 1) return problemResponse('internal_error');
        await new Promise((r) => setTimeout(r, 1_000));
        return HttpResponse.json({}, { status: 201 });
      }),
    );
    await expect(plain!.call(client())).rejects.toBeInstanceOf(InternalServerError);
    expect(calls).toBe(1);
    await expect(plain!.call(client({ timeoutMs: 50 }))).rejects.toBeInstanceOf(IhfTimeoutError);
    expect(calls).toBe(2);
  });

  it('a route without it is resent after a 429, refused before anything ran', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/*`, () => {
        calls++;
        return calls === 1 ? problemResponse('rate_limited') : HttpResponse.json({ ok: true }, { status: 201 });
      }),
    );
    await expect(plain!.call(client())).resolves.toEqual({ ok: true });
    expect(calls).toBe(2);
  });
});

describe('409 idempotency_in_progress', () => {
  const create = (c: IhfClient) => c.annotations.create({ body: { body: 'Save button is hidden', labels: [] } });

  it('waits as Retry-After says and resends the same key until the first request’s answer comes, outside maxRetries', async () => {
    const seen: { at: number; key: string | null }[] = [];
    server.use(
      http.post(`${BASE}/api/v2/annotations`, ({ request }) => {
        seen.push({ at: Date.now(), key: request.headers.get('idempotency-key') });
        return seen.length === 1
          ? problemResponse('idempotency_in_progress', undefined, { headers: { 'retry-after': '1' } })
          : HttpResponse.json(annotation, { status: 201, headers: { 'idempotent-replayed': 'true' } });
      }),
    );
    await expect(create(client({ maxRetries: 0 }))).resolves.toEqual(annotation);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.key).toBe(seen[0]!.key);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up with the ConflictError once maxInProgressWaitMs is spent', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/annotations`, () => {
        calls++;
        return problemResponse('idempotency_in_progress');
      }),
    );
    const started = Date.now();
    const error = await create(client({ maxRetries: 1, retry: { ...FAST_RETRY, maxInProgressWaitMs: 300 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('idempotency_in_progress');
    expect(calls).toBeGreaterThan(2);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('any other 409 of a POST is thrown at once', async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/api/v2/annotations`, () => {
        calls++;
        return problemResponse('conflict');
      }),
    );
    await expect(create(client())).rejects.toBeInstanceOf(ConflictError);
    expect(calls).toBe(1);
  });
});

describe('DELETE retried after an ambiguous failure', () => {
  const remove = (c: IhfClient) => c.webhookSubscriptions.delete({ params: { id: consumer.id } });
  const answering = (...answers: (() => Response)[]) => {
    let calls = 0;
    server.use(http.delete(`${BASE}/api/v2/webhook-subscriptions/:id`, () => answers[Math.min(calls++, answers.length - 1)]!()));
  };

  it('takes the retry’s 404 as success: the first attempt deleted it', async () => {
    answering(() => HttpResponse.error(), () => problemResponse('not_found'));
    await expect(remove(client())).resolves.toBeUndefined();
    answering(() => problemResponse('service_unavailable'), () => problemResponse('not_found'));
    await expect(remove(client())).resolves.toBeUndefined();
  });

  it('still throws NotFoundError for a 404 on the first attempt, or after a 429 (refused, so nothing was deleted)', async () => {
    answering(() => problemResponse('not_found'));
    await expect(remove(client())).rejects.toBeInstanceOf(NotFoundError);
    answering(() => problemResponse('rate_limited'), () => problemResponse('not_found'));
    await expect(remove(client())).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('headers', () => {
  it('merges client, call and automatic headers by name in any case: one value each, the caller’s Idempotency-Key wins', async () => {
    let seen: Headers | undefined;
    server.use(
      http.post(`${BASE}/api/v2/annotations`, ({ request }) => {
        seen = request.headers;
        return HttpResponse.json(annotation, { status: 201 });
      }),
    );
    const c = client({ headers: { 'Idempotency-Key': 'fixed', Authorization: 'Bearer someone-else', 'X-Trace': 'client' } });
    await c.annotations.create({ body: { body: 'x', labels: [] } }, { headers: { 'x-trace': 'call' } });
    expect(seen?.get('idempotency-key')).toBe('fixed');
    expect(seen?.get('authorization')).toBe('Bearer ihfk_00000000_test');
    expect(seen?.get('x-trace')).toBe('call');
  });
});

describe('timeouts and cancellation', () => {
  it('times out each attempt and throws IhfTimeoutError after the retries', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 1_000));
        return HttpResponse.json({});
      }),
    );
    const started = Date.now();
    const error = await client({ timeoutMs: 50, maxRetries: 1 }).me.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IhfTimeoutError);
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('a per-call timeout overrides the client’s', async () => {
    server.use(
      http.get(`${BASE}/api/v2/me`, async () => {
        await new Promise((r) => setTimeout(r, 300));
        return HttpResponse.json({ late: true });
      }),
    );
    await expect(client({ timeoutMs: 50 }).me.get(undefined, { timeoutMs: 2_000 })).resolves.toEqual({ late: true });
  });

  it('an AbortSignal stops the call at once, with no retry, rejecting with the signal’s reason', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 1_000));
        return HttpResponse.json({});
      }),
    );
    const controller = new AbortController();
    const pending = client().me.get(undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user gave up')), 30);
    await expect(pending).rejects.toThrow('user gave up');
    expect(calls).toBe(1);
  });

  it('an abort during the backoff wait stops the retries', async () => {
    let calls = 0;
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return problemResponse('service_unavailable', 'down', { headers: { 'retry-after': '2' } });
      }),
    );
    const pending = client().me.get(undefined, { signal: AbortSignal.timeout(100) });
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(calls).toBe(1);
  });
});

describe('request encoding', () => {
  it('sends JSON bodies, encodes path params and query strings', async () => {
    let seen: { url: string; type: string | null; body: unknown } | undefined;
    server.use(
      http.patch(`${BASE}/api/v2/admin/consumers/:id`, async ({ request }) => {
        seen = { url: request.url, type: request.headers.get('content-type'), body: await request.json() };
        return HttpResponse.json(consumer);
      }),
    );
    await client().admin.consumers.update({ params: { consumerId: 'a/b?c' }, body: { name: 'New' } });
    expect(seen?.url).toBe(`${BASE}/api/v2/admin/consumers/a%2Fb%3Fc`);
    expect(seen?.type).toBe('application/json');
    expect(seen?.body).toEqual({ name: 'New' });
  });

  it('rejects a 422 with ValidationError and its field errors', async () => {
    server.use(
      http.post(`${BASE}/api/v2/admin/consumers`, () =>
        problemResponse('validation_failed', 'The request has 1 invalid field.', {
          errors: [{ location: 'body', pointer: '/name', message: 'Required', code: 'invalid_type' }],
        }),
      ),
    );
    const error = await client().admin.consumers.create({ body: { name: '' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([{ location: 'body', pointer: '/name', message: 'Required', code: 'invalid_type' }]);
  });
});
