import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WEBHOOK_PAYLOAD_SCHEMAS } from '@ihf/contract';
import express from 'express';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { sample } from '../src/testing/index.js';
import {
  generateWebhookSecret,
  signWebhook,
  verifyExpressWebhook,
  verifyWebhookRequest,
  webhookMiddleware,
  WebhookPayloadError,
  WebhookUnknownTypeError,
  WebhookVerificationError,
  type WebhookEvent,
} from '../src/webhooks/index.js';

const secret = generateWebhookSecret();
const event = sample(WEBHOOK_PAYLOAD_SCHEMAS['decision_record.created']);

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

/** Listens on loopback only and returns the base URL. */
async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

async function deliver(url: string, body: string, headers: Record<string, string>) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

describe('Express', () => {
  function app(mount: (a: express.Express) => void) {
    const a = express();
    mount(a);
    return a;
  }

  it('webhookMiddleware with express.raw(): verifies, exposes the typed event, refuses a tampered body with 400', async () => {
    const received: WebhookEvent[] = [];
    const url = await listen(
      app((a) =>
        a.post('/hooks', express.raw({ type: 'application/json' }), webhookMiddleware(secret), (req, res) => {
          received.push((req as typeof req & { webhookEvent: WebhookEvent }).webhookEvent);
          res.sendStatus(204);
        }),
      ),
    );
    const { body, headers } = await signWebhook(event, secret);
    expect((await deliver(`${url}/hooks`, body, headers)).status).toBe(204);
    expect(received).toEqual([event]);
    const bad = await deliver(`${url}/hooks`, body.replace('{', '{ '), headers);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'signature' });
  });

  it('webhookMiddleware never answers an authentic delivery 4xx: unknown type acknowledged, schema failure to next(err)', async () => {
    const received: WebhookEvent[] = [];
    const errors: unknown[] = [];
    const url = await listen(
      app((a) => {
        a.post('/hooks', express.raw({ type: 'application/json' }), webhookMiddleware(secret), (req, res) => {
          received.push((req as typeof req & { webhookEvent: WebhookEvent }).webhookEvent);
          res.sendStatus(204);
        });
        a.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
          errors.push(error);
          res.sendStatus(500);
        });
      }),
    );
    const unknown = await signWebhook({ type: 'widget.exploded', timestamp: new Date().toISOString(), data: {} }, secret);
    const acknowledged = await deliver(`${url}/hooks`, unknown.body, unknown.headers);
    expect(acknowledged.status).toBe(200);
    expect(await acknowledged.json()).toEqual({ ignored: 'unknown_type' });

    const invalid = await signWebhook({ ...event, data: { ...event.data, id: 'not-a-uuid' } }, secret);
    expect((await deliver(`${url}/hooks`, invalid.body, invalid.headers)).status).toBe(500);
    expect(errors).toEqual([expect.any(WebhookPayloadError)]);
    expect(received).toEqual([]);

    const forged = await deliver(`${url}/hooks`, unknown.body, { ...unknown.headers, 'webhook-signature': 'v1,AAAA' });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: 'signature' });
  });

  it('reads the stream itself when no body parser ran', async () => {
    const url = await listen(
      app((a) =>
        a.post('/hooks', async (req, res) => {
          const verified = await verifyExpressWebhook(req, secret);
          res.json(verified);
        }),
      ),
    );
    const { body, headers } = await signWebhook(event, secret);
    const res = await deliver(`${url}/hooks`, body, headers);
    expect(await res.json()).toEqual(event);
  });

  it('a body already parsed by express.json() is reported with the fix, not as a bad signature', async () => {
    const url = await listen(
      app((a) => {
        a.use(express.json());
        a.post('/hooks', async (req, res) => {
          const error = await verifyExpressWebhook(req, secret).catch((e: unknown) => e as Error);
          res.json({ isVerificationError: error instanceof WebhookVerificationError, message: (error as Error).message });
        });
      }),
    );
    const { body, headers } = await signWebhook(event, secret);
    const out = (await (await deliver(`${url}/hooks`, body, headers)).json()) as { isVerificationError: boolean; message: string };
    expect(out.isVerificationError).toBe(false);
    expect(out.message).toMatch(/express\.raw/);
  });

  it('plain node:http: verifies from the request stream', async () => {
    const url = await listen((req, res) => {
      verifyExpressWebhook(req, secret).then(
        (e) => res.writeHead(200).end(e.type),
        (e: Error) => res.writeHead(400).end(e.name),
      );
    });
    const { body, headers } = await signWebhook(event, secret);
    expect(await (await deliver(url, body, headers)).text()).toBe('decision_record.created');
    expect(await (await deliver(url, body, { ...headers, 'webhook-signature': 'v1,AAAA' })).text()).toBe('WebhookSignatureError');
  });
});

describe('Fetch Request (Next.js route handlers, Hono, Workers)', () => {
  it('a Next.js-style route handler', async () => {
    // app/api/webhooks/route.ts: export async function POST(request: Request) { … }
    async function POST(request: Request): Promise<Response> {
      try {
        const e = await verifyWebhookRequest(request, secret);
        return Response.json({ received: e.type });
      } catch (error) {
        if (error instanceof WebhookUnknownTypeError) return new Response(null, { status: 204 });
        if (error instanceof WebhookPayloadError) throw error;
        if (error instanceof WebhookVerificationError) return Response.json({ error: error.code }, { status: 400 });
        throw error;
      }
    }
    const post = (signed: { body: string; headers: Record<string, string> }) =>
      POST(new Request('http://localhost/api/webhooks', { method: 'POST', headers: signed.headers, body: signed.body }));
    const ok = await post(await signWebhook(event, secret));
    expect(await ok.json()).toEqual({ received: 'decision_record.created' });
    const refused = await post(await signWebhook(event, secret, { timestamp: Date.now() - 3_600_000 }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'timestamp' });
    // Authentic deliveries the app cannot use are not refused with a 4xx.
    const unknown = await post(await signWebhook({ type: 'widget.exploded', timestamp: new Date().toISOString(), data: {} }, secret));
    expect(unknown.status).toBe(204);
    await expect(post(await signWebhook({ ...event, data: {} }, secret))).rejects.toBeInstanceOf(WebhookPayloadError);
  });

  it('Hono', async () => {
    const app = new Hono();
    app.post('/webhooks', async (c) => {
      const e = await verifyWebhookRequest(c.req.raw, secret).catch(() => null);
      return e ? c.json({ id: e.data.id }) : c.json({ error: 'unverified' }, 400);
    });
    const { body, headers } = await signWebhook(event, secret);
    const res = await app.request('/webhooks', { method: 'POST', headers, body });
    expect(await res.json()).toEqual({ id: event.data.id });
    const forged = await app.request('/webhooks', { method: 'POST', headers, body: body.replace(event.data.id, '00000000-0000-4000-8000-00000000dead') });
    expect(forged.status).toBe(400);
  });
});
