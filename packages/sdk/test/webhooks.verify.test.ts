import { WEBHOOK_PAYLOAD_SCHEMAS, EVENT_TOPICS } from '@ihf/contract';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it, vi } from 'vitest';
import { sample } from '../src/testing/index.js';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhook,
  WebhookHeaderError,
  WebhookPayloadError,
  WebhookSignatureError,
  WebhookTimestampError,
  WebhookUnknownTypeError,
  type WebhookVerificationError,
} from '../src/webhooks/index.js';

const secret = generateWebhookSecret();
const event = sample(WEBHOOK_PAYLOAD_SCHEMAS['annotation.created']);

describe('verifyWebhook', () => {
  it('accepts what signWebhook signs and resolves to the typed event', async () => {
    const { body, headers } = await signWebhook(event, secret);
    const verified = await verifyWebhook(body, headers, secret);
    expect(verified).toEqual(event);
    if (verified.type === 'annotation.created') expect(typeof verified.data.body).toBe('string');
  });

  it.each(EVENT_TOPICS)('types and validates %s', async (topic) => {
    const payload = sample(WEBHOOK_PAYLOAD_SCHEMAS[topic]);
    const { body, headers } = await signWebhook(payload, secret);
    await expect(verifyWebhook(body, headers, secret)).resolves.toMatchObject({ type: topic });
  });

  it('takes the body as string, Uint8Array or Buffer, and headers as Headers or any-case object', async () => {
    const { body, headers } = await signWebhook(event, secret);
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    await expect(verifyWebhook(new TextEncoder().encode(body), new Headers(headers), secret)).resolves.toEqual(event);
    await expect(verifyWebhook(Buffer.from(body), upper, secret)).resolves.toEqual(event);
  });

  it('verifies against any of several secrets, and any of several signatures (rotation)', async () => {
    const old = generateWebhookSecret();
    const next = generateWebhookSecret();
    const both = await signWebhook(event, [next, old]);
    expect(both.headers['webhook-signature'].split(' ')).toHaveLength(2);
    await expect(verifyWebhook(both.body, both.headers, old)).resolves.toEqual(event);
    await expect(verifyWebhook(both.body, both.headers, next)).resolves.toEqual(event);
    const onlyOld = await signWebhook(event, old);
    await expect(verifyWebhook(onlyOld.body, onlyOld.headers, [next, old])).resolves.toEqual(event);
  });

  it('refuses a tampered body, a wrong secret, a tampered id or timestamp with WebhookSignatureError', async () => {
    const { body, headers } = await signWebhook(event, secret);
    const tampered = body.replace('"data"', '"data" ');
    await expect(verifyWebhook(tampered, headers, secret)).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(verifyWebhook(body, headers, generateWebhookSecret())).rejects.toBeInstanceOf(WebhookSignatureError);
    await expect(verifyWebhook(body, { ...headers, 'webhook-id': 'msg_other' }, secret)).rejects.toBeInstanceOf(WebhookSignatureError);
    const ts = String(Number(headers['webhook-timestamp']) + 1);
    await expect(verifyWebhook(body, { ...headers, 'webhook-timestamp': ts }, secret)).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('refuses a stale or a future timestamp with WebhookTimestampError, within a configurable tolerance', async () => {
    const now = Date.now();
    const stale = await signWebhook(event, secret, { timestamp: now - 301_000 });
    const future = await signWebhook(event, secret, { timestamp: now + 301_000 });
    const e1 = await verifyWebhook(stale.body, stale.headers, secret).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(WebhookTimestampError);
    expect((e1 as WebhookTimestampError).reason).toBe('too_old');
    const e2 = await verifyWebhook(future.body, future.headers, secret).catch((e: unknown) => e);
    expect((e2 as WebhookTimestampError).reason).toBe('in_future');
    await expect(verifyWebhook(stale.body, stale.headers, secret, { toleranceSeconds: 600 })).resolves.toEqual(event);
    await expect(verifyWebhook(stale.body, stale.headers, secret, { now: () => now - 300_000 })).resolves.toEqual(event);
  });

  it('refuses missing or malformed headers with WebhookHeaderError', async () => {
    const { body, headers } = await signWebhook(event, secret);
    const cases: Record<string, string | undefined>[] = [
      { ...headers, 'webhook-id': undefined },
      { ...headers, 'webhook-timestamp': undefined },
      { ...headers, 'webhook-signature': undefined },
      { ...headers, 'webhook-timestamp': '12.5' },
      { ...headers, 'webhook-timestamp': 'yesterday' },
      { ...headers, 'webhook-signature': 'garbage' },
      { ...headers, 'webhook-signature': 'v1a,abc' },
    ];
    for (const h of cases) {
      const error = await verifyWebhook(body, h, secret).catch((e: unknown) => e);
      expect(error, JSON.stringify(h)).toBeInstanceOf(WebhookHeaderError);
      expect((error as WebhookVerificationError).code).toBe('header');
    }
  });

  it('skips a malformed signature entry, as the reference library does, and still needs a match', async () => {
    const { body, headers } = await signWebhook(event, secret);
    const valid = headers['webhook-signature'];
    await expect(verifyWebhook(body, { ...headers, 'webhook-signature': `garbage ${valid}` }, secret)).resolves.toEqual(event);
    expect(new Webhook(secret).verify(body, { ...headers, 'webhook-signature': `garbage ${valid}` })).toEqual(event);
    await expect(verifyWebhook(body, { ...headers, 'webhook-signature': `,x v2 ${valid}` }, secret)).resolves.toEqual(event);
    await expect(verifyWebhook(body, { ...headers, 'webhook-signature': 'garbage v1,AAAA' }, secret)).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('refuses an authentic body of unknown type with WebhookUnknownTypeError carrying the payload', async () => {
    const unknown = { type: 'widget.exploded', timestamp: new Date().toISOString(), data: { id: 1 } };
    const { body, headers } = await signWebhook(unknown, secret);
    const error = await verifyWebhook(body, headers, secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookUnknownTypeError);
    expect(error).toMatchObject({ type: 'widget.exploded', payload: unknown, code: 'unknown_type' });
  });

  it('refuses an authentic body that is not JSON, or not of its type’s schema, with WebhookPayloadError', async () => {
    const notJson = await signWebhook('{"type": ', secret);
    await expect(verifyWebhook(notJson.body, notJson.headers, secret)).rejects.toBeInstanceOf(WebhookPayloadError);
    const bad = { ...event, data: { ...event.data, id: 'not-a-uuid' } };
    const signed = await signWebhook(bad, secret);
    const error = await verifyWebhook(signed.body, signed.headers, secret).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookPayloadError);
    expect((error as WebhookPayloadError).issues).toEqual([expect.objectContaining({ path: ['data', 'id'] })]);
  });

  it('explains a framework-parsed body instead of reporting a bad signature', async () => {
    const { headers } = await signWebhook(event, secret);
    await expect(verifyWebhook(event as unknown as string, headers, secret)).rejects.toThrow(/raw request body/);
  });

  it('checks the signature before looking at the payload: a forged unknown type is a signature error', async () => {
    const { headers } = await signWebhook(event, secret);
    await expect(verifyWebhook('{"type":"nope"}', headers, secret)).rejects.toBeInstanceOf(WebhookSignatureError);
  });
});

describe('interoperability with the Standard Webhooks reference library (standardwebhooks)', () => {
  it('verifies what the reference library signs', async () => {
    const body = JSON.stringify(event);
    const id = 'msg_2b0c6b1f';
    const at = new Date();
    const signature = new Webhook(secret).sign(id, at, body);
    const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature };
    await expect(verifyWebhook(body, headers, secret)).resolves.toEqual(event);
    await expect(verifyWebhook(body.replace('}', ' }'), headers, secret)).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('the reference library verifies what signWebhook signs, and refuses it tampered', async () => {
    const { body, headers } = await signWebhook(event, secret);
    expect(new Webhook(secret).verify(body, headers)).toEqual(event);
    expect(() => new Webhook(secret).verify(body + ' ', headers)).toThrow();
  });

  it('accepts the secret without its whsec_ prefix and as raw bytes, like the reference library', async () => {
    const raw = secret.slice('whsec_'.length);
    const signature = new Webhook(raw).sign('msg_1', new Date(), 'x');
    const { body, headers } = await signWebhook(event, Uint8Array.from(atob(raw), (c) => c.charCodeAt(0)));
    await expect(verifyWebhook(body, headers, raw)).resolves.toEqual(event);
    expect(signature.startsWith('v1,')).toBe(true);
  });
});

describe('without node:crypto (browsers, Deno, edge runtimes)', () => {
  it('signs and verifies with Web Crypto only, interoperably', async () => {
    vi.resetModules();
    const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(() => {
      throw new Error('node:crypto must not be used');
    });
    try {
      const web = await import('../src/webhooks/index.js');
      const { body, headers } = await web.signWebhook(event, secret);
      expect(new Webhook(secret).verify(body, headers)).toEqual(event);
      await expect(web.verifyWebhook(body, headers, secret)).resolves.toEqual(event);
      await expect(web.verifyWebhook(body + ' ', headers, secret)).rejects.toBeInstanceOf(web.WebhookSignatureError);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      vi.resetModules();
    }
  });
});
