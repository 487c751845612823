// Real deliveries from the real worker, checked by Standard Webhooks verifiers that share no
// code with our signer, our SDK or the `standardwebhooks` package:
// - svix's own verifier. svix is pinned to 1.82.0: from 1.84 on, its Webhook class wraps
//   `standardwebhooks`, which webhooks.delivery.test.ts already uses.
// - a Python verifier written from the specification with the standard library only
//   (fixtures/webhooks/standard_webhooks_verify.py), run as a child process.
// Both get the body bytes and header values exactly as they arrived on the socket.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'svix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { FAST_RETRIES, startTestWorker, subscribe } from './support/webhooks.js';

const PYTHON = '/usr/bin/python3';
const VERIFIER = fileURLToPath(new URL('./fixtures/webhooks/standard_webhooks_verify.py', import.meta.url));
const SCOPES = ['interaction-events:read', 'interaction-events:write', 'webhooks:manage'] as const;

let t: TestServer;
let worker: WebhookWorker;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: FAST_RETRIES });
  worker = await startTestWorker(t, { concurrency: 8 });
});
afterAll(async () => {
  await worker?.stop();
  await Promise.all(closers.map((close) => close()));
  await t?.close();
});

interface Arrival {
  /** The body exactly as read from the socket. */
  bytes: Buffer;
  headers: IncomingHttpHeaders;
}
type SignatureHeaders = Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;

/**
 * A loopback receiver that keeps the raw body bytes (support/receiver.ts keeps a decoded
 * string, which would hide a difference in the bytes from the verifiers).
 */
async function rawReceiver(answer: (n: number, res: ServerResponse) => void = (_n, res) => res.writeHead(204).end()) {
  const arrivals: Arrival[] = [];
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ bytes: Buffer.concat(chunks), headers: req.headers });
      answer(arrivals.length, res);
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    async waitFor(count: number, timeoutMs = 15_000): Promise<Arrival[]> {
      const end = Date.now() + timeoutMs;
      while (arrivals.length < count) {
        if (Date.now() > end) throw new Error(`receiver got ${arrivals.length} of ${count} deliveries`);
        await new Promise<void>((resolve) => (waiters.push(resolve), setTimeout(resolve, 100)));
      }
      return arrivals;
    },
  };
}

const signatureHeaders = (a: Arrival): SignatureHeaders => ({
  'webhook-id': String(a.headers['webhook-id']),
  'webhook-timestamp': String(a.headers['webhook-timestamp']),
  'webhook-signature': String(a.headers['webhook-signature']),
});

/** svix's verdict: the event it parsed, or its error message. */
function svix(secret: string, bytes: Buffer, headers: SignatureHeaders): { ok: true; event: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, event: new Webhook(secret).verify(bytes, headers) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

/** The Python verifier's verdict; `now` (unix seconds) replaces its clock. */
function python(secret: string, bytes: Buffer, headers: SignatureHeaders, now?: number): Promise<{ ok: boolean; event?: unknown; error?: string }> {
  const args = [VERIFIER, secret, headers['webhook-id'], headers['webhook-timestamp'], headers['webhook-signature'], ...(now === undefined ? [] : [String(now)])];
  return new Promise((resolve, reject) => {
    // Asynchronous: the server and the worker run in this process and must keep running.
    const child = execFile(PYTHON, ['-I', ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) => {
      if (err && err.code !== 1) return reject(new Error(`python verifier: ${err.message} ${stderr}`));
      resolve(JSON.parse(stdout) as { ok: boolean; event?: unknown; error?: string });
    });
    child.stdin!.end(bytes);
  });
}

async function subscriber() {
  const { key } = await t.consumerWithKey([...SCOPES]);
  return key;
}

async function createEvent(key: string, properties: Record<string, unknown> = { button: 'save' }) {
  const res = await t.as(key, 'POST', '/api/v2/interaction-events', {
    event_type: 'clicked',
    subject_id: 'widget-42',
    actor_id: 'user-7',
    occurred_at: new Date().toISOString(),
    properties,
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Record<string, unknown>;
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

// One after another: a subscription gets every consumer's records of its topic, so a
// test's receiver would also get the records of tests running beside it.
describe('Standard Webhooks interoperability', () => {
  it('a delivered record verifies with svix and with the Python verifier', async () => {
    const key = await subscriber();
    const r = await rawReceiver();
    const sub = await subscribe(t, key, 'interaction_event.created', r.url);
    const record = await createEvent(key);
    const [got] = await r.waitFor(1);
    const headers = signatureHeaders(got!);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(1);

    const bySvix = svix(sub.secret, got!.bytes, headers);
    expect(bySvix).toEqual({ ok: true, event: expect.objectContaining({ type: 'interaction_event.created', data: record }) });
    const byPython = await python(sub.secret, got!.bytes, headers);
    expect(byPython).toEqual({ ok: true, event: bySvix.ok && bySvix.event });
  });

  it('signs every retry with the same webhook-id, each for its own timestamp', async () => {
    const key = await subscriber();
    // Retry-After: 1 spaces the attempts by at least a second, so their timestamps differ.
    const r = await rawReceiver((n, res) => (n < 3 ? res.writeHead(503, { 'retry-after': '1' }).end() : res.writeHead(204).end()));
    const sub = await subscribe(t, key, 'interaction_event.created', r.url);
    await createEvent(key);
    const attempts = await r.waitFor(3);
    const headers = attempts.map(signatureHeaders);

    expect(new Set(headers.map((h) => h['webhook-id'])).size).toBe(1);
    const timestamps = headers.map((h) => Number(h['webhook-timestamp']));
    expect(timestamps[1]).toBeGreaterThan(timestamps[0]!);
    expect(timestamps[2]).toBeGreaterThan(timestamps[1]!);
    for (const [i, a] of attempts.entries()) {
      expect(a.bytes.equals(attempts[0]!.bytes)).toBe(true);
      expect(svix(sub.secret, a.bytes, headers[i]!).ok, `svix, attempt ${i + 1}`).toBe(true);
      expect((await python(sub.secret, a.bytes, headers[i]!)).ok, `python, attempt ${i + 1}`).toBe(true);
    }
    // The timestamp is signed: the first attempt's signature does not hold for the second's timestamp.
    const crossed = { ...headers[0]!, 'webhook-timestamp': headers[1]!['webhook-timestamp'] };
    expect(svix(sub.secret, attempts[0]!.bytes, crossed)).toEqual({ ok: false, error: 'No matching signature found' });
    expect(await python(sub.secret, attempts[0]!.bytes, crossed)).toEqual({ ok: false, error: 'no v1 signature matches' });
  });

  it('during a secret rotation the new and the old secret each verify on their own', async () => {
    const key = await subscriber();
    const r = await rawReceiver();
    const sub = await subscribe(t, key, 'interaction_event.created', r.url);
    const rotated = await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const { secret: fresh } = (await rotated.json()) as { secret: string };
    expect(fresh).not.toBe(sub.secret);

    await createEvent(key);
    const [got] = await r.waitFor(1);
    const headers = signatureHeaders(got!);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const [name, secret] of [['new', fresh], ['old', sub.secret]] as const) {
      expect(svix(secret, got!.bytes, headers).ok, `svix, ${name} secret`).toBe(true);
      expect((await python(secret, got!.bytes, headers)).ok, `python, ${name} secret`).toBe(true);
    }
    const stranger = newSecret();
    expect(svix(stranger, got!.bytes, headers).ok).toBe(false);
    expect((await python(stranger, got!.bytes, headers)).ok).toBe(false);
  });

  it('signs the UTF-8 bytes of non-ASCII records', async () => {
    const key = await subscriber();
    const r = await rawReceiver();
    const sub = await subscribe(t, key, 'interaction_event.created', r.url);
    const properties = {
      note: 'Café crème, naïve façade — Łódź',
      emoji: '🎉👩🏽‍💻',
      cjk: '日本語のテキスト',
      rtl: 'مرحبا',
      combining: 'e\u0301',
      separators: 'a\u2028b\u2029c',
    };
    const record = await createEvent(key, properties);
    expect(record.properties).toEqual(properties);
    const [got] = await r.waitFor(1);
    const headers = signatureHeaders(got!);
    // Sent as UTF-8, not as \u escapes: the bytes and the characters differ in number.
    expect(got!.bytes.includes(Buffer.from('👩🏽‍💻'))).toBe(true);
    expect(got!.bytes.length).toBeGreaterThan(got!.bytes.toString('utf8').length);

    const bySvix = svix(sub.secret, got!.bytes, headers);
    expect(bySvix).toEqual({ ok: true, event: expect.objectContaining({ data: expect.objectContaining({ properties }) }) });
    expect(await python(sub.secret, got!.bytes, headers)).toEqual({ ok: true, event: bySvix.ok && bySvix.event });

    // A receiver that decodes the body as Latin-1 holds other bytes, and neither verifier accepts them.
    const misread = Buffer.from(got!.bytes.toString('latin1'), 'utf8');
    expect(svix(sub.secret, misread, headers).ok).toBe(false);
    expect((await python(sub.secret, misread, headers)).ok).toBe(false);
  });

  it('refuses a tampered body, another secret, another id, a stale timestamp and unknown signature versions', async () => {
    const key = await subscriber();
    const r = await rawReceiver();
    const sub = await subscribe(t, key, 'interaction_event.created', r.url);
    await createEvent(key, { button: 'save' });
    const [got] = await r.waitFor(1);
    const headers = signatureHeaders(got!);
    const timestamp = Number(headers['webhook-timestamp']);
    // The genuine delivery passes, so the refusals below are down to what each case changes.
    expect(svix(sub.secret, got!.bytes, headers).ok).toBe(true);
    expect((await python(sub.secret, got!.bytes, headers, timestamp + 299)).ok).toBe(true);

    const tampered = Buffer.from(got!.bytes.toString('utf8').replace('"button":"save"', '"button":"drop"'));
    expect(tampered.equals(got!.bytes)).toBe(false);
    const cases: [string, Buffer, SignatureHeaders, string][] = [
      ['tampered body', tampered, headers, sub.secret],
      ['one byte more', Buffer.concat([got!.bytes, Buffer.from('\n')]), headers, sub.secret],
      ['another secret', got!.bytes, headers, newSecret()],
      ['another webhook-id', got!.bytes, { ...headers, 'webhook-id': `${headers['webhook-id']}x` }, sub.secret],
      ['an unknown signature version', got!.bytes, { ...headers, 'webhook-signature': headers['webhook-signature'].replace(/^v1,/, 'v2,') }, sub.secret],
    ];
    for (const [name, bytes, h, secret] of cases) {
      expect(svix(secret, bytes, h).ok, `svix: ${name}`).toBe(false);
      expect((await python(secret, bytes, h)).ok, `python: ${name}`).toBe(false);
    }
    expect(await python(sub.secret, got!.bytes, headers, timestamp + 301)).toEqual({ ok: false, error: 'webhook-timestamp is outside the tolerance' });
    expect(await python(sub.secret, got!.bytes, headers, timestamp - 301)).toEqual({ ok: false, error: 'webhook-timestamp is outside the tolerance' });
  });
});
