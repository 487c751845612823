import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { ApiPromise, createClient, NotFoundError, PagePromise, parseRateLimit, RateLimitError } from '../src/index.js';
import { createHandlers, fixture, problemResponse, RATE_LIMIT_HEADERS } from '../src/testing/index.js';
import { BASE, FAST_RETRY, useMsw } from './msw.js';

const server = useMsw();
const client = () => createClient({ baseUrl: BASE, apiKey: 'ihfk_00000000_test', retry: FAST_RETRY });

describe('withResponse() and asResponse()', () => {
  it('gives the parsed body with status, headers, request id and rate-limit state, from one request', async () => {
    let calls = 0;
    const me = fixture('me.get');
    server.use(
      http.get(`${BASE}/api/v2/me`, () => {
        calls++;
        return HttpResponse.json(me, { headers: { 'x-request-id': 'req-1', 'x-extra': 'yes', ...RATE_LIMIT_HEADERS } });
      }),
    );
    const pending = client().me.get();
    expect(pending).toBeInstanceOf(ApiPromise);
    const { data, response } = await pending.withResponse();
    expect(data).toEqual(me);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(response.requestId).toBe('req-1');
    expect(response.rateLimit?.policies).toEqual([
      { name: 'burst', remaining: 49, resetSeconds: 1, quota: 50, windowSeconds: 1 },
      { name: 'minute', remaining: 59, resetSeconds: 60, quota: 60, windowSeconds: 60 },
      { name: 'day', remaining: 9999, resetSeconds: 43200, quota: 10000, windowSeconds: 86400 },
    ]);
    expect(response.rateLimit?.limiting.name).toBe('burst');
    // The same promise still resolves to the body; nothing was sent again.
    expect(await pending).toEqual(me);
    expect(calls).toBe(1);
  });

  it('asResponse() gives a Fetch Response with the body as received', async () => {
    server.use(http.post(`${BASE}/api/v2/annotations`, () => new HttpResponse('{"id":"a1" , "labels":[]}', { status: 201, headers: { 'content-type': 'application/json' } })));
    const response = await client().annotations.create({ body: { body: 'x', labels: [] } }).asResponse();
    expect(response).toBeInstanceOf(Response);
    expect(response.status).toBe(201);
    expect(await response.text()).toBe('{"id":"a1" , "labels":[]}');
  });

  it('asResponse() of a 204 has no body', async () => {
    server.use(http.delete(`${BASE}/api/v2/webhook-subscriptions/:id`, () => new HttpResponse(null, { status: 204 })));
    const response = await client().webhookSubscriptions.delete({ params: { id: fixture('webhookSubscriptions.get').id } }).asResponse();
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('an error status rejects withResponse() and asResponse() with the typed error, which carries rateLimit too', async () => {
    server.use(
      http.get(`${BASE}/api/v2/me`, () =>
        problemResponse('rate_limited', 'slow down', { headers: { 'retry-after': '3600', ratelimit: '"minute";r=0;t=42', 'ratelimit-policy': '"minute";q=60;w=60' } }),
      ),
    );
    const error = await client().me.get().withResponse().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).rateLimit?.limiting).toEqual({ name: 'minute', remaining: 0, resetSeconds: 42, quota: 60, windowSeconds: 60 });
    await expect(client().me.get().asResponse()).rejects.toBeInstanceOf(RateLimitError);
  });

  it('a caller who only asks withResponse() leaves no unhandled rejection behind', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      server.use(http.get(`${BASE}/api/v2/annotations/:id`, () => problemResponse('not_found')));
      await expect(client().annotations.get({ params: { id: fixture('annotations.get').id } }).withResponse()).rejects.toBeInstanceOf(NotFoundError);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('then/catch/finally behave as on any promise', async () => {
    server.use(http.get(`${BASE}/api/v2/annotations/:id`, () => problemResponse('not_found')));
    const id = fixture('annotations.get').id;
    let finallyRan = false;
    const caught = await client()
      .annotations.get({ params: { id } })
      .finally(() => {
        finallyRan = true;
      })
      .catch((e: unknown) => e);
    expect(caught).toBeInstanceOf(NotFoundError);
    expect(finallyRan).toBe(true);
    const [settled] = await Promise.allSettled([client().annotations.get({ params: { id } })]);
    expect(settled.status).toBe('rejected');
  });
});

describe('pagination with withResponse()', () => {
  it('a list method returns a PagePromise: withResponse() gives the first page, iteration goes on from it without refetching it', async () => {
    const cursors: (string | null)[] = [];
    const item = fixture('annotations.get');
    server.use(
      http.get(`${BASE}/api/v2/annotations`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        cursors.push(cursor);
        const page = cursor === null ? { data: [{ ...item, body: 'p1' }], next_cursor: 'c2' } : { data: [{ ...item, body: 'p2' }], next_cursor: null };
        return HttpResponse.json(page, { headers: { 'x-request-id': `page-${cursor ?? 1}`, ...RATE_LIMIT_HEADERS } });
      }),
    );
    const list = client().annotations.list({ query: { limit: 1 } });
    expect(list).toBeInstanceOf(PagePromise);
    const { data, response } = await list.withResponse();
    expect(data.data.map((a) => a.body)).toEqual(['p1']);
    expect(response.requestId).toBe('page-1');
    expect(response.rateLimit?.policies).toHaveLength(3);
    const bodies: string[] = [];
    for await (const a of list) bodies.push(a.body);
    expect(bodies).toEqual(['p1', 'p2']);
    expect(cursors).toEqual([null, 'c2']);
  });
});

describe('the testing handlers', () => {
  it('answer authenticated routes with the API’s rate-limit headers, and public ones without', async () => {
    server.use(...createHandlers({ baseUrl: BASE }));
    const { response } = await client().me.get().withResponse();
    expect(response.rateLimit?.limiting).toMatchObject({ name: 'burst', remaining: 49 });
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const catalog = await client().eventTypes.list().withResponse();
    expect(catalog.response.rateLimit).toBeUndefined();
  });
});

describe('parseRateLimit', () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  it('reads tokens as well as strings as policy names, and works without RateLimit-Policy', () => {
    expect(parseRateLimit(headers({ ratelimit: 'minute;r=5;t=30' }))).toEqual({
      policies: [{ name: 'minute', remaining: 5, resetSeconds: 30 }],
      limiting: { name: 'minute', remaining: 5, resetSeconds: 30 },
    });
  });

  it('is undefined when the header is absent, malformed, or has no usable member', () => {
    expect(parseRateLimit(headers({}))).toBeUndefined();
    expect(parseRateLimit(headers({ ratelimit: '"minute";r=' }))).toBeUndefined();
    expect(parseRateLimit(headers({ ratelimit: '"minute";t=3' }))).toBeUndefined();
    expect(parseRateLimit(headers({ ratelimit: '("a" "b");r=1' }))).toBeUndefined();
  });

  it('picks the policy with the fewest requests left as the limiting one', () => {
    const parsed = parseRateLimit(headers({ ratelimit: '"burst";r=9;t=1, "day";r=2;t=500' }));
    expect(parsed?.limiting).toEqual({ name: 'day', remaining: 2, resetSeconds: 500 });
  });
});
