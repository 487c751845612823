// The SDK end to end against the real server: real HTTP on loopback, a real database,
// the real webhook worker delivering to a receiver that verifies with the SDK.
// Imports the SDK's source (not its build) so the suite needs no build step; the
// packed tarball is exercised by `pnpm --filter @ihf/sdk test:pack`.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  createClient,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
  type IhfClient,
} from '../../../packages/sdk/src/index.js';
import { webhookMiddleware, type WebhookEvent } from '../../../packages/sdk/src/webhooks/index.js';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { startTestWorker } from './support/webhooks.js';

let t: TestServer;
let worker: WebhookWorker;
let admin: IhfClient;
let consumerId: string;
let key: string;
let client: IhfClient;

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_RETRY_SCHEDULE: '0,0.2', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  worker = await startTestWorker(t, { concurrency: 2 });
  admin = createClient({ baseUrl: t.url, apiKey: t.adminToken });
  const consumer = await admin.admin.consumers.create({ body: { name: 'sdk e2e', tier: 'enterprise' } });
  consumerId = consumer.id;
  const issued = await admin.admin.keys.create({
    params: { consumerId },
    body: { scopes: ['annotations:read', 'annotations:write', 'webhooks:manage'], name: 'sdk e2e' },
  });
  key = issued.key;
  client = createClient({ baseUrl: t.url, apiKey: key });
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
});

describe('@ihf/sdk against the real server', () => {
  it('admin and consumer calls resolve to typed bodies', async () => {
    const me = await client.me.get();
    expect(me.consumer.id).toBe(consumerId);
    expect(me.scopes).toEqual(expect.arrayContaining(['annotations:read', 'annotations:write']));
    const got = await admin.admin.consumers.get({ params: { consumerId } });
    expect(got.name).toBe('sdk e2e');
  });

  it('iterates every page of a list', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await client.annotations.create({ body: { body: `note ${i}`, labels: ['e2e'] } })).id);
    const seen: string[] = [];
    for await (const annotation of client.annotations.list({ query: { limit: 2 } })) seen.push(annotation.id);
    expect(seen).toEqual(expect.arrayContaining(created));
    expect(new Set(seen).size).toBe(seen.length);
    const pages: number[] = [];
    for await (const page of client.annotations.list({ query: { limit: 2 } }).pages()) pages.push(page.data.length);
    expect(pages.length).toBeGreaterThanOrEqual(3);
  });

  it('withResponse gives the status, request id and the rate-limit state the server reports', async () => {
    const { data, response } = await client.me.get().withResponse();
    expect(data.consumer.id).toBe(consumerId);
    expect(response.status).toBe(200);
    expect(response.requestId).toBe(response.headers.get('x-request-id'));
    expect(response.rateLimit?.policies.map((p) => p.name)).toEqual(['burst', 'minute', 'day']);
    for (const policy of response.rateLimit!.policies) {
      expect(policy.quota).toBeGreaterThan(0);
      expect(policy.remaining).toBeLessThanOrEqual(policy.quota!);
    }
  });

  it('admin.interactionTypes.create registers a type, and a retry with its key replays the answer', async () => {
    const first = await admin.admin.interactionTypes.create({ body: { name: 'sdk_e2e_hovered' } }, { idempotencyKey: 'e2e-type' }).withResponse();
    expect(first.response.status).toBe(201);
    const replay = await admin.admin.interactionTypes.create({ body: { name: 'sdk_e2e_hovered' } }, { idempotencyKey: 'e2e-type' });
    expect(replay).toEqual(first.data);
  });

  it('its Idempotency-Key makes a repeated create return the first record', async () => {
    const first = await client.annotations.create({ body: { body: 'once', labels: [] } }, { idempotencyKey: 'e2e-once' });
    const again = await client.annotations.create({ body: { body: 'once', labels: [] } }, { idempotencyKey: 'e2e-once' });
    expect(again.id).toBe(first.id);
  });

  it('throws typed errors carrying the problem document and the request id', async () => {
    const missing = await client.annotations.get({ params: { id: '00000000-0000-4000-8000-000000000000' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe('not_found');
    expect((missing as NotFoundError).requestId).toBe((missing as NotFoundError).headers.get('x-request-id'));

    const invalid = await client.annotations.create({ body: { body: '', labels: [] } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).errors.map((e) => e.pointer)).toContain('/body');

    const scope = await client.admin.consumers.list().catch((e: unknown) => e);
    expect([AuthenticationError, PermissionDeniedError].some((C) => scope instanceof C)).toBe(true);

    const bad = createClient({ baseUrl: t.url, apiKey: 'ihfk_00000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    await expect(bad.me.get()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('OAuth client credentials: fetches a narrowed token from /api/v2/token and uses it', async () => {
    const oauth = createClient({ baseUrl: t.url, clientId: consumerId, clientSecret: key, scope: 'annotations:read' });
    const me = await oauth.me.get();
    expect(me.credential.token_type).toBe('oauth');
    expect(me.scopes).toEqual(['annotations:read']);
    await expect(oauth.annotations.list({ query: { limit: 1 } })).resolves.toHaveProperty('data');
    const refused = await oauth.annotations.create({ body: { body: 'x', labels: [] } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect((refused as PermissionDeniedError).code).toBe('insufficient_scope');
  });

  it('a webhook the server delivers is verified by the SDK’s Express middleware into a typed event', async () => {
    const received: WebhookEvent[] = [];
    let secret = '';
    const app = express();
    app.post('/hooks', express.raw({ type: 'application/json' }), (req, res, next) => webhookMiddleware(secret)(req, res, next), (req, res) => {
      received.push((req as typeof req & { webhookEvent: WebhookEvent }).webhookEvent);
      res.sendStatus(204);
    });
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
      const subscription = await client.webhookSubscriptions.create({ body: { event_type: 'annotation.created', target_url: url } });
      secret = subscription.secret;
      const annotation = await client.annotations.create({ body: { body: 'deliver me', labels: ['hook'] } });
      const deadline = Date.now() + 15_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(received).toHaveLength(1);
      const event = received[0]!;
      expect(event.type).toBe('annotation.created');
      if (event.type === 'annotation.created') expect(event.data).toMatchObject({ id: annotation.id, body: 'deliver me', labels: ['hook'] });
      // The worker appends the attempt after the receiver answers: wait for the row.
      let recorded = false;
      while (!recorded && Date.now() < deadline) {
        const deliveries = await client.webhookSubscriptions.listDeliveries({ params: { id: subscription.id } });
        recorded = deliveries.data.some((d) => d.response_code === 204);
        if (!recorded) await new Promise((r) => setTimeout(r, 50));
      }
      expect(recorded).toBe(true);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
