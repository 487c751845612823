// Over 300 lines: one delivery scenario per test, sharing one server, worker and receiver set-up.
import { randomUUID } from 'node:crypto';
import { Validator } from 'jsonschema';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookEventSchema, type EventTopic } from '@ihf/contract';
// A second, independent Standard Webhooks verifier: the one this repo's SDK ships.
import { verifyWebhook } from '../../../packages/sdk/src/webhooks/verify.js';
import { sampleRecord } from '../src/services/subscriptions/samples.js';
import { webhookBody } from '../src/webhooks/outbox.js';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { RECORD_READ_SCOPES } from './support/scopes.js';
import { FAST_RETRIES, startTestWorker, subscribe } from './support/webhooks.js';

let t: TestServer;
let worker: WebhookWorker;
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: FAST_RETRIES });
  worker = await startTestWorker(t, { concurrency: 8 });
});
afterAll(async () => {
  await worker?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

const headersOf = (r: { headers: Record<string, unknown> }) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

async function deliveries(key: string, subId: string) {
  const res = await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${subId}/deliveries`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { id: string; attempt: number; status: string; response_code: number | null; message_id: string; error_message: string | null }[] }).data;
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Each test has its own consumer, receiver and subscription (test events reach only that one), so they run side by side.
describe.concurrent('webhook delivery', () => {
  it('delivers a created record, signed so the Standard Webhooks reference library verifies it', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage', 'outcome-signals:write', 'deployment-records:write', 'decision-records:write', 'requirement-candidates:write']);
    const r = await receiver();
    const sub = await subscribe(t, key, 'requirement_candidate.created', r.url);
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const created = await t.as(key, 'POST', '/api/v2/requirement-candidates', { title: 'Hook me', category: 'ux' });
    expect(created.status).toBe(201);
    const record = await created.json();
    const [got] = await r.waitFor(1);
    const verified = new Webhook(sub.secret).verify(got!.body, headersOf(got!)) as Record<string, unknown>;
    expect(verified).toMatchObject({ type: 'requirement_candidate.created', data: record });
    expect(WebhookEventSchema.parse(JSON.parse(got!.body)).type).toBe('requirement_candidate.created');
    const viaSdk = await verifyWebhook(got!.body, headersOf(got!), sub.secret);
    expect(viaSdk).toEqual(verified);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);

    const log = await until(() => deliveries(key, sub.id), (d) => d.length === 1);
    expect(log[0]).toMatchObject({ attempt: 1, status: 'delivered', response_code: 200, message_id: got!.headers['webhook-id'] });
  });

  it('retries a 5xx with the same webhook-id and body, then succeeds', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver((_req, n, res) => res.writeHead(n < 3 ? 503 : 204).end());
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    expect((await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`)).status).toBe(202);
    const got = await r.waitFor(3);
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    for (const g of got) expect(() => new Webhook(sub.secret).verify(g.body, headersOf(g))).not.toThrow();
    const log = await until(() => deliveries(key, sub.id), (d) => d.length === 3);
    expect(log.map((d) => [d.attempt, d.status, d.response_code])).toEqual([[3, 'delivered', 204], [2, 'failed', 503], [1, 'failed', 503]]);
    const after = (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}`)).json()) as { consecutive_failures: number };
    expect(after.consecutive_failures).toBe(0);
  });

  it('logs answers that carry NUL bytes, failed and delivered alike', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver((_req, n, res) => res.writeHead(n < 2 ? 500 : 200).end(`answer\0${n}`));
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    expect((await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`)).status).toBe(202);
    await r.waitFor(2);
    const log = (await until(() => deliveries(key, sub.id), (d) => d.length === 2)) as unknown as { status: string; response_body: string }[];
    expect(log.map((d) => [d.status, d.response_body])).toEqual([['delivered', 'answer\uFFFD2'], ['failed', 'answer\uFFFD1']]);
  });

  it('honours Retry-After on a 429', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver((_req, n, res) => (n === 1 ? res.writeHead(429, { 'retry-after': '2' }).end() : res.writeHead(200).end()));
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const [first, second] = await r.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);
  });

  it('disables the subscription at once on 410 Gone', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver((_req, _n, res) => res.writeHead(410).end());
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    await r.waitFor(1);
    const s = await until(
      async () => (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}`)).json()) as { disabled_at: string | null; disabled_reason: string | null },
      (v) => v.disabled_at !== null,
    );
    expect(s.disabled_reason).toMatch(/410/);
    await new Promise((res) => setTimeout(res, 600));
    expect(r.received).toHaveLength(1);
  });

  it('cuts off a receiver that never answers at the timeout and retries it', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    // The first two requests hang (headers never sent); the third is answered.
    const r = await receiver((_req, n, res) => (n <= 2 ? undefined : res.writeHead(200).end()));
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    await r.waitFor(3);
    const log = await until(() => deliveries(key, sub.id), (d) => d.length === 3);
    expect(log.map((d) => d.status)).toEqual(['delivered', 'failed', 'failed']);
    expect(log[2]!.error_message).toMatch(/timed out after 800 ms/);
  });

  it('stops on a receiver that sends headers and then stalls mid-body', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver((_req, n, res) => {
      if (n === 1) {
        res.writeHead(200, { 'content-length': '100' });
        res.write('partial');
      } else res.writeHead(200).end();
    });
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    await r.waitFor(2);
    const log = await until(() => deliveries(key, sub.id), (d) => d.length === 2);
    expect(log[1]).toMatchObject({ status: 'failed' });
    expect(log[1]!.error_message).toMatch(/timed out/);
  });

  it('soft-disables after a whole schedule of failures, and an update re-enables it', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    let healthy = false;
    const r = await receiver((_req, _n, res) => res.writeHead(healthy ? 200 : 500).end('down'));
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const disabled = await until(
      async () => (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}`)).json()) as { disabled_at: string | null; disabled_reason: string; consecutive_failures: number },
      (v) => v.disabled_at !== null,
    );
    expect(disabled.consecutive_failures).toBe(4);
    expect(disabled.disabled_reason).toMatch(/4 consecutive failed attempts/);
    expect(r.received).toHaveLength(4);
    const log = await deliveries(key, sub.id);
    expect(log.map((d) => d.attempt)).toEqual([4, 3, 2, 1]);

    // While disabled, nothing is sent, and a test or a redelivery says why instead of queueing in vain.
    const refused = await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    expect(refused.status).toBe(409);
    expect((await readProblem(refused)).detail).toMatch(/disabled .*re-enable/);
    const redelivery = await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/deliveries/${log[0]!.id}/redeliver`);
    expect(redelivery.status).toBe(409);
    await new Promise((res) => setTimeout(res, 300));
    expect(r.received).toHaveLength(4);

    healthy = true;
    const enabled = await t.as(key, 'PATCH', `/api/v2/webhook-subscriptions/${sub.id}`, { is_active: true });
    expect(await enabled.json()).toMatchObject({ is_active: true, disabled_at: null, disabled_reason: null, consecutive_failures: 0 });
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    await r.waitFor(5);
  });

  it('signs with both the new and the old secret for the overlap after a rotation', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver();
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    const rotated = await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { secret: string; previous_secret_expires_at: string };
    expect(next.secret).not.toBe(sub.secret);
    const overlap = Date.parse(next.previous_secret_expires_at) - Date.now();
    expect(overlap).toBeGreaterThan(23.9 * 3600_000);
    expect(overlap).toBeLessThanOrEqual(24 * 3600_000);

    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const [got] = await r.waitFor(1);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(next.secret).verify(got!.body, headersOf(got!))).not.toThrow();
    expect(() => new Webhook(sub.secret).verify(got!.body, headersOf(got!))).not.toThrow();
    await expect(verifyWebhook(got!.body, headersOf(got!), next.secret)).resolves.toMatchObject({ type: 'annotation.created' });
    await expect(verifyWebhook(got!.body, headersOf(got!), sub.secret)).resolves.toMatchObject({ type: 'annotation.created' });
    expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got!.body, headersOf(got!))).toThrow();

    // Once the overlap ends only the new secret signs.
    await t.sql`UPDATE webhook_subscriptions SET previous_secret_expires_at = now() - interval '1 second' WHERE id = ${sub.id}`;
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const [, later] = await r.waitFor(2);
    expect(String(later!.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(sub.secret).verify(later!.body, headersOf(later!))).toThrow();
  });

  it('keeps each replaced secret signing for its own 24 h when rotated again within them, up to five secrets', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver();
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    const rotate = () => t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/rotate-secret`);
    const secrets = [sub.secret];
    for (let i = 0; i < 4; i++) {
      const res = await rotate();
      expect(res.status).toBe(200);
      secrets.push(((await res.json()) as { secret: string }).secret);
    }
    // A sixth secret would grow every delivery's header again: refused until the oldest expires.
    const refused = await rotate();
    expect(refused.status).toBe(409);
    expect((await readProblem(refused)).detail).toMatch(/5 secrets already sign .* Rotate again after that/);

    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const [got] = await r.waitFor(1);
    expect(String(got!.headers['webhook-signature']).split(' ')).toHaveLength(5);
    for (const secret of secrets) expect(() => new Webhook(secret).verify(got!.body, headersOf(got!))).not.toThrow();

    // The first secret's overlap ends: it no longer signs, the four others still do, and a rotation is taken again.
    const ended = new Date(Date.now() - 1000).toISOString();
    await t.sql`UPDATE webhook_subscriptions SET older_secrets = jsonb_set(older_secrets, '{0,expires_at}', to_jsonb(${ended}::text)) WHERE id = ${sub.id}`;
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const [, later] = await r.waitFor(2);
    expect(String(later!.headers['webhook-signature']).split(' ')).toHaveLength(4);
    expect(() => new Webhook(secrets[0]!).verify(later!.body, headersOf(later!))).toThrow();
    for (const secret of secrets.slice(1)) expect(() => new Webhook(secret).verify(later!.body, headersOf(later!))).not.toThrow();
    expect((await rotate()).status).toBe(200);
    const [row] = await t.sql<{ older_secrets: unknown[] }[]>`SELECT older_secrets FROM webhook_subscriptions WHERE id = ${sub.id}`;
    expect(row!.older_secrets).toHaveLength(3);
  });

  it('sends a test event and redelivers a past one with the same webhook-id', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver();
    const sub = await subscribe(t, key, 'deployment_record.created', r.url);
    const queued = (await (await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`)).json()) as { message_id: string };
    expect(queued.message_id).toMatch(/^msg_test_/);
    const [first] = await r.waitFor(1);
    expect(first!.headers['webhook-id']).toBe(queued.message_id);
    expect(WebhookEventSchema.parse(JSON.parse(first!.body)).type).toBe('deployment_record.created');
    const [past] = await until(() => deliveries(key, sub.id), (d) => d.length === 1);
    const again = await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/deliveries/${past!.id}/redeliver`);
    expect(again.status).toBe(202);
    const [, second] = await r.waitFor(2);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(() => new Webhook(sub.secret).verify(second!.body, headersOf(second!))).not.toThrow();
    const log = await until(() => deliveries(key, sub.id), (d) => d.length === 2);
    expect(log.map((d) => d.attempt)).toEqual([2, 1]);
  });

  it('refuses to redeliver a message while an attempt of it is being sent', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The second request (the first redelivery) is held until the test lets it go.
    const r = await receiver((_req, n, res) => void (n === 2 ? held.then(() => res.writeHead(200).end()) : res.writeHead(200).end()));
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    const [past] = await until(() => deliveries(key, sub.id), (d) => d.length === 1);
    const redeliver = () => t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/deliveries/${past!.id}/redeliver`);
    expect((await redeliver()).status).toBe(202);
    await r.waitFor(2);
    // Attempt 2 is on the wire: a third one sent beside it could be logged before it.
    const busy = await redeliver();
    expect(busy.status).toBe(409);
    expect((await readProblem(busy)).detail).toMatch(/being sent/);
    release();
    await until(() => deliveries(key, sub.id), (d) => d.length === 2);
    expect((await redeliver()).status).toBe(202);
    const log = await until(() => deliveries(key, sub.id), (d) => d.length === 3);
    expect(log.map((d) => [d.attempt, d.status])).toEqual([[3, 'delivered'], [2, 'delivered'], [1, 'delivered']]);
    expect(r.received).toHaveLength(3);
  });

  it('redelivers a message waiting for a retry at once, and its scheduled retry then sends nothing', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    // The first answer asks for a retry in an hour.
    const r = await receiver((_req, n, res) => (n === 1 ? res.writeHead(503, { 'retry-after': '3600' }).end() : res.writeHead(200).end()));
    const sub = await subscribe(t, key, 'annotation.created', r.url);
    const { message_id } = (await (await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`)).json()) as { message_id: string };
    const [failed] = await until(() => deliveries(key, sub.id), (d) => d.length === 1);
    expect(failed).toMatchObject({ attempt: 1, status: 'failed' });
    expect((await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/deliveries/${failed!.id}/redeliver`)).status).toBe(202);
    await until(() => deliveries(key, sub.id), (d) => d.length === 2);
    // The hour-later retry was the message's keyed job; the redelivery took its place, so nothing is left to run.
    const [jobs] = await t.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE payload->>'m' = ${message_id}`;
    expect(jobs!.n).toBe(0);
    expect(r.received).toHaveLength(2);
    expect((await deliveries(key, sub.id)).map((d) => [d.attempt, d.status])).toEqual([[2, 'delivered'], [1, 'failed']]);
  });

  it('recovers, once re-enabled, what a 410 left undelivered since a time, each message once with its webhook-id', async () => {
    // Records reach every subscription to their topic, and no other test here subscribes to interaction events.
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage', 'interaction-events:write']);
    let gone = false;
    // During the outage the receiver holds its answers (then 410s them) until every message of it is queued.
    let answer!: () => void;
    const outageQueued = new Promise<void>((resolve) => (answer = resolve));
    const r = await receiver((_req, _n, res) => void (gone ? outageQueued.then(() => res.writeHead(410).end()) : res.writeHead(200).end()));
    const sub = await subscribe(t, key, 'interaction_event.created', r.url);
    const recover = (since: string) => t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/recover`, { since });
    // An earlier message, delivered before the outage: `since` leaves it out.
    await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub.id}/test`);
    await r.waitFor(1);
    await until(() => deliveries(key, sub.id), (d) => d.length === 1);
    const since = new Date().toISOString();
    gone = true;
    for (let i = 0; i < 5; i++) {
      const event = { event_type: 'viewed', subject_id: `lost ${i}`, actor_id: 'recover', occurred_at: since };
      expect((await t.as(key, 'POST', '/api/v2/interaction-events', event)).status).toBe(201);
    }
    answer();
    // The 410 disables the subscription; every message of the outage ends failed (it met the
    // 410) or cancelled (it never got its turn), with no attempt left on the wire (recover
    // leaves those alone). Watched in the database: polling the API would spend this
    // consumer's rate limit.
    const ended = () => t.sql<{ n: number; disabled: boolean }[]>`
      SELECT count(*)::int AS n, bool_and(s.disabled_at IS NOT NULL) AS disabled
      FROM webhook_messages m JOIN webhook_subscriptions s ON s.id = m.webhook_subscription_id
      WHERE s.id = ${sub.id} AND m.state IN ('failed', 'cancelled') AND m.attempts = m.logged_attempts`;
    // Concurrent failures of one subscription once deadlocked on its disable: attempts sent and never logged.
    expect(await until(ended, ([row]) => row!.n === 5 && row!.disabled)).toEqual([{ n: 5, disabled: true }]);
    expect((await recover(since)).status).toBe(409);
    const tooOld = await recover(new Date(Date.now() - 15 * 86_400_000).toISOString());
    expect(tooOld.status).toBe(422);
    expect((await readProblem(tooOld)).errors).toEqual([expect.objectContaining({ pointer: '/since' })]);

    gone = false;
    await t.as(key, 'PATCH', `/api/v2/webhook-subscriptions/${sub.id}`, { is_active: true });
    const res = await recover(since);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ subscription_id: sub.id, since, queued: 5 });
    const before = r.received.length;
    await r.waitFor(before + 5);
    const delivered = r.received.slice(before);
    expect(new Set(delivered.map((d) => d.headers['webhook-id'])).size).toBe(5);
    expect(delivered.map((d) => (JSON.parse(d.body) as { data: { subject_id: string } }).data.subject_id).sort()).toEqual(['lost 0', 'lost 1', 'lost 2', 'lost 3', 'lost 4']);
    for (const d of delivered) expect(() => new Webhook(sub.secret).verify(d.body, headersOf(d))).not.toThrow();
    // Nothing is left to recover, and nothing more arrives.
    expect(await (await recover(since)).json()).toMatchObject({ queued: 0 });
    await new Promise((done) => setTimeout(done, 300));
    expect(r.received).toHaveLength(before + 5);
  });

  it('sends nothing for records no subscription wants, and stops after a delete', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage', 'decision-records:write']);
    const r = await receiver();
    const sub = await subscribe(t, key, 'outcome_signal.created', r.url);
    const del = await t.as(key, 'DELETE', `/api/v2/webhook-subscriptions/${sub.id}`);
    expect(del.status).toBe(204);
    expect((await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}`)).status).toBe(404);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_messages WHERE webhook_subscription_id = ${sub.id}`;
    expect(row!.n).toBe(0);
  });
});

describe('webhook subscriptions', () => {
  it('keeps subscriptions private to their owner', async () => {
    const a = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const b = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const r = await receiver();
    const sub = await subscribe(t, a.key, 'annotation.created', r.url);
    for (const [method, path] of [
      ['GET', `/api/v2/webhook-subscriptions/${sub.id}`],
      ['PATCH', `/api/v2/webhook-subscriptions/${sub.id}`],
      ['DELETE', `/api/v2/webhook-subscriptions/${sub.id}`],
      ['POST', `/api/v2/webhook-subscriptions/${sub.id}/rotate-secret`],
      ['GET', `/api/v2/webhook-subscriptions/${sub.id}/deliveries`],
    ] as const) {
      const res = await t.as(b.key, method, path, method === 'PATCH' ? { is_active: false } : undefined);
      expect(res.status, `${method} ${path}`).toBe(404);
      await readProblem(res);
    }
    const list = (await (await t.as(b.key, 'GET', '/api/v2/webhook-subscriptions')).json()) as { data: unknown[] };
    expect(list.data).toEqual([]);
    const own = (await (await t.as(a.key, 'GET', '/api/v2/webhook-subscriptions')).json()) as { data: Record<string, unknown>[] };
    expect(own.data).toHaveLength(1);
    expect(own.data[0]).not.toHaveProperty('secret');
  });

  it('stores the secret encrypted, never in the clear', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const sub = await subscribe(t, key, 'annotation.created', 'http://127.0.0.1:9/hook');
    const [row] = await t.sql<{ secret: string }[]>`SELECT secret FROM webhook_subscriptions WHERE id = ${sub.id}`;
    expect(row!.secret).toMatch(/^v1\./);
    expect(row!.secret).not.toContain(sub.secret.slice(6, 20));
  });

  it('lets a hub consumer subscribe only to event types in its manifest', async () => {
    const m = await t.admin('POST', '/api/v2/admin/manifests', {
      name: `hub-${Date.now()}`, version: '1', scopes: [...RECORD_READ_SCOPES, 'webhooks:manage'], event_types: ['annotation.created'],
    });
    expect(m.status).toBe(201);
    const manifest = (await m.json()) as { id: string };
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage'], { hub_capability_manifest_id: manifest.id });
    const refused = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'outcome_signal.created', target_url: 'http://127.0.0.1:9/x' });
    expect(refused.status).toBe(422);
    expect((await readProblem(refused)).errors).toEqual([expect.objectContaining({ pointer: '/event_type', code: 'not_in_manifest' })]);
    await subscribe(t, key, 'annotation.created', 'http://127.0.0.1:9/x');
  });

  it('publishes the event catalog with a JSON schema per topic', async () => {
    const res = await t.request('/api/v2/event-types');
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { type: string; schema: { properties: Record<string, unknown> } }[] };
    expect(data.map((d) => d.type).sort()).toEqual([
      'annotation.created', 'decision_record.created', 'deployment_record.created',
      'interaction_event.created', 'outcome_signal.created', 'requirement_candidate.created',
    ]);
    for (const d of data) expect(Object.keys(d.schema.properties).sort()).toEqual(['data', 'timestamp', 'type']);
  });

  it('publishes schemas a plain JSON Schema validator accepts real payloads with, nulls included', async () => {
    const { data } = (await (await t.request('/api/v2/event-types')).json()) as { data: { type: EventTopic; schema: Record<string, unknown> }[] };
    // npm `jsonschema`: a validator that, like most outside the OpenAPI world (Python's
    // jsonschema, Go's), knows nothing of OpenAPI's `nullable` (Ajv would have read it).
    const validator = new Validator();
    const now = new Date();
    for (const { type, schema } of data) {
      // A sample record of the type (nulls where a record may have them), in the body the worker sends.
      const body = JSON.parse(webhookBody(type, now.toISOString(), sampleRecord(type, randomUUID(), now)));
      expect(validator.validate(body, schema).errors.map(String), type).toEqual([]);
      expect(validator.validate({ ...body, type: 'other.created' }, schema).valid, type).toBe(false);
    }
  });
});
