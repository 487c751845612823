import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, type Logger, type RequestEvent, type ResponseEvent, type RetryEvent } from '../src/index.js';
import { fixture, problemResponse } from '../src/testing/index.js';
import { BASE, FAST_RETRY, useMsw } from './msw.js';

const server = useMsw();
const API_KEY = 'ihfk_3fa85f64_Vb9nW3o1q0m6ZxJ8u2KcY5tR7eA4sD1fG0hL9pQ3wE2';
const CLIENT_SECRET = 'ihfk_1a2b3c4d_clientSecretThatMustNotLeak0123456789';
const ACCESS_TOKEN = 'ihfat_1a2b3c4d_accessTokenThatMustNotLeak0123456789';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRETS = [API_KEY, CLIENT_SECRET, ACCESS_TOKEN, WEBHOOK_SECRET, 'Vb9nW3o1q0m6ZxJ8u2KcY5tR7eA4sD1fG0hL9pQ3wE2'];

/** Records every hook event and log line. */
function recorder() {
  const events: { requests: RequestEvent[]; responses: ResponseEvent[]; retries: RetryEvent[] } = { requests: [], responses: [], retries: [] };
  const lines: { level: string; message: string; details?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug: (message, details) => lines.push({ level: 'debug', message, details }),
    info: (message, details) => lines.push({ level: 'info', message, details }),
    warn: (message, details) => lines.push({ level: 'warn', message, details }),
    error: (message, details) => lines.push({ level: 'error', message, details }),
  };
  const options = {
    onRequest: (e: RequestEvent) => events.requests.push(e),
    onResponse: (e: ResponseEvent) => events.responses.push({ ...e, body: e.body }),
    onRetry: (e: RetryEvent) => events.retries.push(e),
    logger,
  };
  /** Everything hooks and the logger were given, as text, to search for secrets. */
  const everything = () => JSON.stringify({ events, lines }, (_k, v: unknown) => (v instanceof Error ? v.message : v));
  return { events, lines, options, everything };
}

describe('hooks', () => {
  it('onRequest, onResponse and onRetry see every attempt of a call, in order', async () => {
    const r = recorder();
    let calls = 0;
    const me = fixture('me.get');
    server.use(
      http.get(`${BASE}/api/v2/me`, () => (++calls === 1 ? problemResponse('service_unavailable', 'down') : HttpResponse.json(me, { headers: { 'x-request-id': 'req-ok' } }))),
    );
    const c = createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, ...r.options });
    await c.me.get();
    expect(r.events.requests.map((e) => [e.operation, e.method, e.url, e.attempt])).toEqual([
      ['me.get', 'GET', `${BASE}/api/v2/me`, 1],
      ['me.get', 'GET', `${BASE}/api/v2/me`, 2],
    ]);
    expect(r.events.responses.map((e) => [e.status, e.error?.name])).toEqual([
      [503, 'InternalServerError'],
      [200, undefined],
    ]);
    expect(r.events.responses[1]!.requestId).toBe('req-ok');
    expect(r.events.responses[1]!.body).toEqual(me);
    expect(r.events.responses[1]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(r.events.retries).toHaveLength(1);
    expect(r.events.retries[0]).toMatchObject({ operation: 'me.get', attempt: 2 });
    expect(r.events.retries[0]!.delayMs).toBeGreaterThan(0);
    expect(r.events.retries[0]!.error.message).toContain('503');
  });

  it('onResponse reports a network failure with no status and the connection error', async () => {
    const r = recorder();
    server.use(http.get(`${BASE}/api/v2/me`, () => HttpResponse.error()));
    await createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, maxRetries: 0, ...r.options })
      .me.get()
      .catch(() => undefined);
    expect(r.events.responses).toHaveLength(1);
    expect(r.events.responses[0]).toMatchObject({ status: undefined, headers: undefined });
    expect(r.events.responses[0]!.error?.name).toBe('IhfConnectionError');
  });

  it('a hook that throws changes nothing about the call; the logger hears of it at error', async () => {
    const r = recorder();
    server.use(http.get(`${BASE}/api/v2/me`, () => HttpResponse.json({ ok: true })));
    const c = createClient({
      baseUrl: BASE,
      apiKey: API_KEY,
      logger: r.options.logger,
      onRequest: () => {
        throw new Error('hook bug');
      },
      onResponse: () => {
        throw new Error('hook bug');
      },
    });
    await expect(c.me.get()).resolves.toEqual({ ok: true });
    expect(r.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'ihf-sdk: the onRequest hook threw; the call goes on',
      'ihf-sdk: the onResponse hook threw; the call goes on',
    ]);
  });
});

describe('credentials never reach hooks or logs', () => {
  it('the Authorization header is redacted, keeping its scheme; created keys and secrets in bodies too', async () => {
    const r = recorder();
    server.use(
      http.post(`${BASE}/api/v2/admin/consumers/:id/keys`, () => HttpResponse.json({ ...fixture('admin.keys.create'), key: API_KEY }, { status: 201 })),
      http.post(`${BASE}/api/v2/webhook-subscriptions`, () => HttpResponse.json({ ...fixture('webhookSubscriptions.create'), secret: WEBHOOK_SECRET }, { status: 201 })),
    );
    const c = createClient({ baseUrl: BASE, apiKey: API_KEY, logLevel: 'debug', ...r.options });
    const issued = await c.admin.keys.create({ params: { consumerId: fixture('admin.consumers.get').id }, body: { scopes: ['annotations:read'] } });
    const subscription = await c.webhookSubscriptions.create({ body: { event_type: 'annotation.created', target_url: 'https://example.com/hook' } });
    // The caller gets the real values…
    expect(issued.key).toBe(API_KEY);
    expect(subscription.secret).toBe(WEBHOOK_SECRET);
    // …hooks and logs do not.
    expect(r.events.requests[0]!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(r.events.responses[0]!.body).toMatchObject({ key: '[REDACTED]' });
    expect(r.events.responses[1]!.body).toMatchObject({ secret: '[REDACTED]' });
    expect(r.events.requests[1]!.body).toEqual({ event_type: 'annotation.created', target_url: 'https://example.com/hook' });
    expect(r.lines.some((l) => l.level === 'debug')).toBe(true);
    for (const secret of SECRETS) expect(r.everything()).not.toContain(secret);
  });

  it('the OAuth token request is observed too: Basic credentials, a client_secret in the form and the access_token answered are redacted', async () => {
    const r = recorder();
    server.use(
      http.post(`${BASE}/api/v2/token`, () => HttpResponse.json({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600, scope: 'me' })),
      http.get(`${BASE}/api/v2/me`, () => HttpResponse.json({ ok: true })),
      http.post(`${BASE}/api/v2/token/introspect`, () => HttpResponse.json({ active: true })),
    );
    const c = createClient({ baseUrl: BASE, clientId: 'c1', clientSecret: CLIENT_SECRET, logLevel: 'debug', ...r.options });
    await c.me.get();
    // A form body carrying a secret, sent through a contract route.
    await c.token.introspect({ body: { token: ACCESS_TOKEN, client_id: 'c1', client_secret: CLIENT_SECRET } as never });
    const token = r.events.requests.find((e) => e.operation === 'token')!;
    expect(token.headers.authorization).toBe('Basic [REDACTED]');
    expect(r.events.responses.find((e) => e.operation === 'token')!.body).toMatchObject({ access_token: '[REDACTED]', token_type: 'Bearer' });
    expect(r.events.requests.find((e) => e.operation === 'me.get')!.headers.authorization).toBe('Bearer [REDACTED]');
    expect(r.events.requests.find((e) => e.operation === 'token.introspect')!.body).toEqual({ token: '[REDACTED]', client_id: 'c1', client_secret: '[REDACTED]' });
    for (const secret of SECRETS) expect(r.everything()).not.toContain(secret);
  });

  it('an error message or URL carrying a credential is redacted in logs and in the events’ url and body', async () => {
    const r = recorder();
    server.use(http.get(`${BASE}/api/v2/annotations/:id`, () => problemResponse('not_found', `No annotation ${API_KEY}`)));
    const c = createClient({ baseUrl: BASE, apiKey: API_KEY, logLevel: 'debug', ...r.options });
    await c.annotations.get({ params: { id: API_KEY } }).catch(() => undefined);
    expect(r.lines.some((l) => l.level === 'warn' && l.message.includes('[REDACTED]'))).toBe(true);
    const logged = JSON.stringify([r.lines, r.events.requests, r.events.responses.map(({ error: _error, ...rest }) => rest)]);
    for (const secret of SECRETS) expect(logged).not.toContain(secret);
  });
});

describe('logger', () => {
  const failingThenOk = () => {
    let calls = 0;
    server.use(http.get(`${BASE}/api/v2/me`, () => (++calls === 1 ? problemResponse('service_unavailable') : HttpResponse.json({ ok: true }))));
  };

  it('is silent by default, and logs nothing without a logger even at debug', async () => {
    failingThenOk();
    const seen: unknown[] = [];
    const original = { ...console };
    for (const level of ['debug', 'info', 'warn', 'error', 'log'] as const) console[level] = (...args: unknown[]) => seen.push(args);
    try {
      await createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, logLevel: 'debug' }).me.get();
    } finally {
      Object.assign(console, original);
    }
    expect(seen).toEqual([]);
  });

  it('logs retries at info and failed calls at warn (the default level shows only the latter)', async () => {
    failingThenOk();
    const r = recorder();
    await createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, logger: r.options.logger }).me.get();
    expect(r.lines).toEqual([]);
    failingThenOk();
    await createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, logger: r.options.logger, logLevel: 'info' }).me.get();
    expect(r.lines.map((l) => l.level)).toEqual(['info']);
    expect(r.lines[0]!.message).toMatch(/^ihf-sdk retrying GET http:\/\/ihf\.test\/api\/v2\/me \(me\.get, attempt 2\) in \d+ ms after: 503/);
    server.use(http.get(`${BASE}/api/v2/me`, () => problemResponse('forbidden')));
    await createClient({ baseUrl: BASE, apiKey: API_KEY, logger: r.options.logger })
      .me.get()
      .catch(() => undefined);
    expect(r.lines.at(-1)).toMatchObject({ level: 'warn', details: { status: 403, code: 'forbidden' } });
  });

  it('at debug, logs each attempt and its answer', async () => {
    failingThenOk();
    const r = recorder();
    await createClient({ baseUrl: BASE, apiKey: API_KEY, retry: FAST_RETRY, logger: r.options.logger, logLevel: 'debug' }).me.get();
    expect(r.lines.map((l) => `${l.level} ${l.message.split(' ').slice(0, 3).join(' ')}`)).toEqual([
      'debug ihf-sdk → GET',
      'debug ihf-sdk ← 503',
      'info ihf-sdk retrying GET',
      'debug ihf-sdk → GET',
      'debug ihf-sdk ← 200',
    ]);
  });

  it('at off, logs nothing', async () => {
    server.use(http.get(`${BASE}/api/v2/me`, () => problemResponse('forbidden')));
    const r = recorder();
    await createClient({ baseUrl: BASE, apiKey: API_KEY, logger: r.options.logger, logLevel: 'off' })
      .me.get()
      .catch(() => undefined);
    expect(r.lines).toEqual([]);
  });
});
