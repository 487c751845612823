// Webhook verifications per second on a 1,024-byte payload: @ihf/sdk/webhooks against the
// Standard Webhooks reference library (npm `standardwebhooks`: pure-JS HMAC, synchronous)
// in one process. Like for like: one secret reused (the reference keeps its decoded key
// in its Webhook object; the SDK caches per secret), the same body and headers, and the
// same work (HMAC + JSON.parse). The SDK's paths, forced here through the internal
// verifySignatureUsing: node:crypto (what Node, Bun and Deno use), and where there is none
// (browsers, edge runtimes) the portable one: a pure-JavaScript HMAC up to
// PURE_JS_MAX_BYTES, Web Crypto above. A last table times both of those by body size: where
// they cross is where PURE_JS_MAX_BYTES belongs. Rounds alternate between contenders so drift (other load, GC,
// JIT) hits all alike; the median round is reported.
//
// `sequential`: one verification at a time, each awaited. `16 in flight`: a receiver
// under load, with concurrent deliveries; a synchronous verifier gains nothing from it,
// Web Crypto's thread-pool work overlaps. `subtle.sign alone` is the ceiling of any Web
// Crypto verification on this runtime: one sign per delivery and nothing else.
import { createRequire } from 'node:module';
import type { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { WEBHOOK_PAYLOAD_SCHEMAS } from '../packages/contract/src/index.js';
import { sample } from '../packages/sdk/src/testing/sample.js';
import { generateWebhookSecret, signWebhook } from '../packages/sdk/src/webhooks/index.js';
import { decodeSecret } from '../packages/sdk/src/webhooks/secret.js';
import { verifySignatureUsing, verifyWebhookUsing } from '../packages/sdk/src/webhooks/verify.js';
import { hmacBase64 } from '../packages/sdk/src/webhooks/hmac.js';
import { nodeCryptoHmac } from '../packages/sdk/src/webhooks/node-crypto.js';
import { portableHmac, PURE_JS_MAX_BYTES, pureJsHmac } from '../packages/sdk/src/webhooks/portable.js';
import { webCryptoHmac } from '../packages/sdk/src/webhooks/web-crypto.js';

// standardwebhooks is a dev dependency of the SDK; resolve it from there.
const requireFromSdk = createRequire(new URL('../packages/sdk/package.json', import.meta.url));
const { Webhook } = requireFromSdk('standardwebhooks') as { Webhook: typeof ReferenceWebhook };

const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 700);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const IN_FLIGHT = 16;

const secret = generateWebhookSecret();
const base = sample(WEBHOOK_PAYLOAD_SCHEMAS['annotation.created']);
// Pad the annotation body so the serialised event is exactly 1,024 bytes.
const probe = JSON.stringify({ ...base, data: { ...base.data, body: '' } });
const event = { ...base, data: { ...base.data, body: 'x'.repeat(1024 - Buffer.byteLength(probe)) } };
const { body, headers } = await signWebhook(event, secret);
if (Buffer.byteLength(body) !== 1024) throw new Error(`payload is ${Buffer.byteLength(body)} bytes`);
const reference = new Webhook(secret);
const node = nodeCryptoHmac();
if (!node || hmacBase64 === webCryptoHmac) throw new Error('node:crypto is not in use on this runtime');
const subtleKey = await crypto.subtle.importKey('raw', decodeSecret(secret) as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
const signedBytes = new TextEncoder().encode(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`);

type Contender = { name: string; run: () => unknown };
const REFERENCE = 'standardwebhooks Webhook.verify (HMAC + JSON.parse)';
const NODE = '@ihf/sdk node:crypto: verifySignature + JSON.parse';
const PORTABLE = '@ihf/sdk portable (no node:crypto): verifySignature + JSON.parse';
const WEB = '@ihf/sdk Web Crypto only: verifySignature + JSON.parse';
const contenders: Contender[] = [
  { name: REFERENCE, run: () => reference.verify(body, headers) },
  { name: NODE, run: async () => (await verifySignatureUsing(node, body, headers, secret), JSON.parse(body)) },
  { name: PORTABLE, run: async () => (await verifySignatureUsing(portableHmac, body, headers, secret), JSON.parse(body)) },
  { name: WEB, run: async () => (await verifySignatureUsing(webCryptoHmac, body, headers, secret), JSON.parse(body)) },
  { name: '@ihf/sdk node:crypto: verifyWebhook (+ schema validation)', run: () => verifyWebhookUsing(node, body, headers, secret) },
  { name: '@ihf/sdk portable: verifyWebhook (+ schema validation)', run: () => verifyWebhookUsing(portableHmac, body, headers, secret) },
  { name: 'crypto.subtle.sign alone (the Web Crypto ceiling)', run: () => crypto.subtle.sign('HMAC', subtleKey, signedBytes) },
];

// Sanity: every contender accepts the delivery, and the paths agree on the signature.
for (const c of contenders) await c.run();
const expected = node(secret, 'a.', body);
if (expected !== (await webCryptoHmac(secret, 'a.', body)) || expected !== pureJsHmac(secret, 'a.', body)) throw new Error('the HMAC paths disagree');

/** Verifications per second and CPU µs per verification (every thread of the process: Web Crypto's pool too). */
async function round(c: Contender, inFlight: number): Promise<[number, number]> {
  let n = 0;
  const cpu = process.cpuUsage();
  const end = performance.now() + ROUND_MS;
  const worker = async () => {
    while (performance.now() < end) {
      for (let i = 0; i < 50; i++) await c.run();
      n += 50;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const used = process.cpuUsage(cpu);
  return [n / ((performance.now() - started) / 1000), (used.user + used.system) / n];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);

console.log(`webhook verification, 1,024-byte payload, one secret, median of ${ROUNDS} alternating rounds of ${ROUND_MS} ms (Node ${process.version})`);
for (const [label, inFlight] of [['sequential', 1], [`${IN_FLIGHT} in flight`, IN_FLIGHT]] as const) {
  const results = new Map<string, [number, number][]>(contenders.map((c) => [c.name, []]));
  for (const c of contenders) await round(c, inFlight); // warm-up
  for (let r = 0; r < ROUNDS; r++) for (const c of contenders) results.get(c.name)!.push(await round(c, inFlight));
  const rate = (name: string) => median(results.get(name)!.map(([ops]) => ops));
  const ref = rate(REFERENCE);
  console.log(`  ${label}:`);
  for (const c of contenders) {
    const ops = rate(c.name);
    const cpu = median(results.get(c.name)!.map(([, us]) => us));
    console.log(`    ${c.name.padEnd(60)} ${fmt(ops)} verifications/s  ${(ops / ref).toFixed(2)}x reference  ${cpu.toFixed(1).padStart(5)} µs CPU each`);
  }
}

// Where the pure-JavaScript HMAC and Web Crypto cross: µs of one HMAC by body size.
console.log(`  one HMAC by body size, pure JavaScript against Web Crypto (PURE_JS_MAX_BYTES = ${PURE_JS_MAX_BYTES}):`);
for (const size of [256, 1024, 2048, 4096, 8192, 16384, 65536]) {
  const sized = 'x'.repeat(size);
  const time = async (hmac: () => unknown) => {
    const samples: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let n = 0;
      const started = performance.now();
      while (performance.now() - started < ROUND_MS / 4) {
        await hmac();
        n++;
      }
      samples.push(((performance.now() - started) * 1000) / n);
    }
    return median(samples);
  };
  const js = await time(() => pureJsHmac(secret, 'a.', sized));
  const web = await time(() => webCryptoHmac(secret, 'a.', sized));
  console.log(`    ${String(size).padStart(6)} bytes  pure JS ${js.toFixed(1).padStart(7)} µs  Web Crypto ${web.toFixed(1).padStart(7)} µs  ${js <= web ? 'pure JS' : 'Web Crypto'} faster`);
}
