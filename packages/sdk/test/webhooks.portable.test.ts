// The paths taken where there is no node:crypto (browsers, edge runtimes), run in-process
// beside the node:crypto one: Web Crypto, the pure-JavaScript HMAC, and the portable choice
// between them by body size. Same answers, interoperable with the reference library both
// ways, and the per-secret caches stay correct under rotation, many secrets, raw-byte
// secrets and bad secrets.
import { WEBHOOK_PAYLOAD_SCHEMAS } from '@ihf/contract';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { sample } from '../src/testing/index.js';
import { generateWebhookSecret, signWebhook, WebhookSignatureError } from '../src/webhooks/index.js';
import { decodeSecret } from '../src/webhooks/secret.js';
import { nodeCryptoHmac } from '../src/webhooks/node-crypto.js';
import { verifySignatureUsing, verifyWebhookUsing } from '../src/webhooks/verify.js';
import type { HmacBase64 } from '../src/webhooks/hmac.js';
import { portableHmac, PURE_JS_MAX_BYTES, pureJsHmac } from '../src/webhooks/portable.js';
import { webCryptoHmac } from '../src/webhooks/web-crypto.js';

const event = sample(WEBHOOK_PAYLOAD_SCHEMAS['annotation.created']);
const node = nodeCryptoHmac()!;

const implementations: [string, HmacBase64][] = [
  ['Web Crypto', webCryptoHmac],
  ['pure-JavaScript', pureJsHmac],
  ['portable (by body size)', portableHmac],
];

describe.each(implementations)('the %s HMAC', (_name, hmac) => {
  it('computes what node:crypto computes, for string and byte bodies, ASCII and not', async () => {
    const secret = generateWebhookSecret();
    for (const body of ['{}', JSON.stringify(event), 'é✓ – 🙂'.repeat(50), 'x'.repeat(PURE_JS_MAX_BYTES + 1)]) {
      const bytes = new TextEncoder().encode(body);
      const expected = node(secret, 'msg_é.1700000000.', body);
      expect(await hmac(secret, 'msg_é.1700000000.', body)).toBe(expected);
      expect(await hmac(secret, 'msg_é.1700000000.', bytes)).toBe(expected);
      expect(await hmac(decodeSecret(secret), 'msg_é.1700000000.', bytes)).toBe(expected);
    }
  });

  it('verifies what the reference library signs, and the reference verifies what it signs', async () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify(event);
    const at = new Date();
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_1', at, body) };
    await expect(verifyWebhookUsing(hmac, body, headers, secret)).resolves.toEqual(event);
    const mac = await hmac(secret, `msg_2.${headers['webhook-timestamp']}.`, body);
    expect(new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_2', 'webhook-signature': `v1,${mac}` })).toEqual(event);
  });

  it('during a rotation, verifies against either secret and refuses a third', async () => {
    const [old, current, other] = [generateWebhookSecret(), generateWebhookSecret(), generateWebhookSecret()];
    const signedOld = await signWebhook(event, old);
    const signedNew = await signWebhook(event, current);
    for (let i = 0; i < 3; i++) {
      await expect(verifySignatureUsing(hmac, signedOld.body, signedOld.headers, [current, old])).resolves.toBeUndefined();
      await expect(verifySignatureUsing(hmac, signedNew.body, signedNew.headers, [current, old])).resolves.toBeUndefined();
    }
    await expect(verifySignatureUsing(hmac, signedNew.body, signedNew.headers, other)).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('stays right past its key cache’s bound (more secrets than it keeps), concurrently too', async () => {
    const secrets = Array.from({ length: 100 }, generateWebhookSecret);
    const signed = await Promise.all(secrets.map((s) => signWebhook(event, s)));
    for (let pass = 0; pass < 2; pass++) {
      await Promise.all(signed.map((d, i) => expect(verifySignatureUsing(hmac, d.body, d.headers, secrets[i]!)).resolves.toBeUndefined()));
      // A delivery checked against another secret of the set is refused, whatever is cached.
      await Promise.all(signed.map((d, i) => expect(verifySignatureUsing(hmac, d.body, d.headers, secrets[(i + 1) % 100]!)).rejects.toBeInstanceOf(WebhookSignatureError)));
    }
  });

  it('reports a malformed secret each time, not only the first', async () => {
    const { body, headers } = await signWebhook(event, generateWebhookSecret());
    for (let i = 0; i < 2; i++) {
      await expect(verifySignatureUsing(hmac, body, headers, 'whsec_not base64!')).rejects.toBeInstanceOf(TypeError);
    }
  });
});

describe('the portable HMAC', () => {
  it('answers short bodies synchronously and long ones with a promise (Web Crypto)', () => {
    const secret = generateWebhookSecret();
    expect(typeof portableHmac(secret, 'a.', 'x'.repeat(PURE_JS_MAX_BYTES))).toBe('string');
    expect(portableHmac(secret, 'a.', 'x'.repeat(PURE_JS_MAX_BYTES + 1))).toBeInstanceOf(Promise);
  });
});
