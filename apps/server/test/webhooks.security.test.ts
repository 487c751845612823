// With the SSRF guard on (WEBHOOK_ALLOW_PRIVATE_TARGETS=false): refusal at subscription
// time, on update, and again at delivery time (a subscription whose target became
// private). Only loopback receivers exist here; a refused attempt must reach none of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/lib/secret-box.js';
import { generateWebhookSecret } from '../src/webhooks/delivery/signer.js';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { RECORD_READ_SCOPES } from './support/scopes.js';
import { startTestWorker } from './support/webhooks.js';

let t: TestServer;
let worker: WebhookWorker;
let receiver: Receiver;

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_RETRY_SCHEDULE: '0,0.1', WEBHOOK_TIMEOUT_MS: '500' } });
  worker = await startTestWorker(t);
  receiver = await startReceiver();
});
afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await t?.close();
});

describe('SSRF guard through the API', () => {
  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
    'http://100.64.0.1/hook',
    'http://[fd00::1]/hook',
  ])('refuses %s at subscription time with a 422 on target_url', async (target_url) => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url });
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/target_url', code: 'unsafe_target_address' })]);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE target_url = ${target_url}`;
    expect(row!.n).toBe(0);
  });

  it('refuses non-http schemes in the contract', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'file:///etc/passwd' });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/target_url' })]);
  });

  it('refuses at delivery time a target that is private now, without connecting to it', async () => {
    const { key, consumerId } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    // As if the subscription had been made while its host resolved to a public address.
    const sealed = createSecretBox(t.config.IHF_SECRET_KEY!).seal(generateWebhookSecret());
    const [sub] = await t.sql<{ id: string }[]>`
      INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
      VALUES (${consumerId}, 'annotation.created', ${receiver.url}, ${sealed}) RETURNING id`;
    expect((await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${sub!.id}/test`)).status).toBe(202);
    let log: { status: string; error_message: string; response_code: number | null }[] = [];
    for (let i = 0; i < 100 && log.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      log = ((await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub!.id}/deliveries`)).json()) as { data: typeof log }).data;
    }
    expect(log).toHaveLength(2);
    for (const d of log) {
      expect(d).toMatchObject({ status: 'failed', response_code: null });
      expect(d.error_message).toMatch(/^refused: .*loopback/);
    }
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses an update to a private target', async () => {
    const { key, consumerId } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']);
    const sealed = createSecretBox(t.config.IHF_SECRET_KEY!).seal(generateWebhookSecret());
    const [sub] = await t.sql<{ id: string }[]>`
      INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
      VALUES (${consumerId}, 'annotation.created', 'https://hooks.example.com/x', ${sealed}) RETURNING id`;
    const res = await t.as(key, 'PATCH', `/api/v2/webhook-subscriptions/${sub!.id}`, { target_url: 'http://192.168.0.10/x' });
    expect(res.status).toBe(422);
    await readProblem(res);
  });
});

describe('scopes', () => {
  it('refuses record reads and writes without the resource scope, and subscriptions without webhooks:manage', async () => {
    const { key } = await t.consumerWithKey(['annotations:read']);
    for (const [method, path, scope] of [
      ['POST', '/api/v2/annotations', 'annotations:write'],
      ['GET', '/api/v2/interaction-events', 'interaction-events:read'],
      ['POST', '/api/v2/interaction-events/batch', 'interaction-events:write'],
      ['GET', '/api/v2/outcome-signals', 'outcome-signals:read'],
      ['GET', '/api/v2/webhook-subscriptions', 'webhooks:manage'],
    ] as const) {
      const res = await t.as(key, method, path, method === 'POST' ? {} : undefined);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.headers.get('www-authenticate')).toContain(`scope="${scope}"`);
      expect((await readProblem(res)).code).toBe('insufficient_scope');
    }
    expect((await t.as(key, 'GET', '/api/v2/annotations')).status).toBe(200);
  });

  it('refuses a subscription to records the caller may not read', async () => {
    const { key } = await t.consumerWithKey(['webhooks:manage', 'interaction-events:read']);
    const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'https://hooks.example.com/x' });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('scope="annotations:read"');
    expect((await readProblem(res)).code).toBe('insufficient_scope');
  });

  it('lets any holder of the read scope read records written by another consumer', async () => {
    const writer = await t.consumerWithKey(['annotations:write']);
    const reader = await t.consumerWithKey(['annotations:read']);
    const created = (await (await t.as(writer.key, 'POST', '/api/v2/annotations', { body: 'shared' })).json()) as { id: string };
    const got = await t.as(reader.key, 'GET', `/api/v2/annotations/${created.id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toMatchObject({ id: created.id, consumer_id: writer.consumerId });
  });
});
