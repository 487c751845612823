// Webhook verifications per second on a 1 KB payload: @ihf/sdk/webhooks against the
// Standard Webhooks reference library (npm `standardwebhooks`) in the same process
// and run. Rounds alternate between the contenders so drift (thermal, GC, JIT) hits
// both alike; the median round is reported. No network: pure CPU.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Webhook as ReferenceWebhook } from 'standardwebhooks';
import { WEBHOOK_PAYLOAD_SCHEMAS } from '../packages/contract/src/index.js';
import { sample } from '../packages/sdk/src/testing/sample.js';
import { generateWebhookSecret, signWebhook, verifySignature, verifyWebhook } from '../packages/sdk/src/webhooks/index.js';

// standardwebhooks is a dev dependency of the SDK; resolve it from there.
const requireFromSdk = createRequire(new URL('../packages/sdk/package.json', import.meta.url));
const { Webhook } = requireFromSdk('standardwebhooks') as { Webhook: typeof ReferenceWebhook };

const ROUND_MS = 700;
const ROUNDS = 5;
// `--webcrypto`: the SDK as it runs without node:crypto (browsers, Deno, edge): hmac.ts
// looks for node:crypto lazily, on first use, so hiding it here takes effect.
const WEB_CRYPTO_ONLY = process.argv.includes('--webcrypto');
if (WEB_CRYPTO_ONLY) (process as { getBuiltinModule?: unknown }).getBuiltinModule = () => undefined;

const secret = generateWebhookSecret();
const base = sample(WEBHOOK_PAYLOAD_SCHEMAS['annotation.created']);
// Pad the annotation body so the serialised event is exactly 1,024 bytes.
const probe = JSON.stringify({ ...base, data: { ...base.data, body: '' } });
const event = { ...base, data: { ...base.data, body: 'x'.repeat(1024 - Buffer.byteLength(probe)) } };
const { body, headers } = await signWebhook(event, secret);
if (Buffer.byteLength(body) !== 1024) throw new Error(`payload is ${Buffer.byteLength(body)} bytes`);
const reference = new Webhook(secret);

type Contender = { name: string; run: () => unknown };
const sdk = WEB_CRYPTO_ONLY ? '@ihf/sdk [Web Crypto only]' : '@ihf/sdk';
const contenders: Contender[] = [
  { name: 'standardwebhooks Webhook.verify (HMAC + JSON.parse)', run: () => reference.verify(body, headers) },
  { name: `${sdk} verifyWebhook (HMAC + JSON.parse + schema validation)`, run: () => verifyWebhook(body, headers, secret) },
  { name: `${sdk} verifySignature + JSON.parse (the reference's work)`, run: async () => { await verifySignature(body, headers, secret); return JSON.parse(body); } },
];

// Sanity: every contender accepts the delivery.
for (const c of contenders) await c.run();

async function round(c: Contender): Promise<number> {
  let n = 0;
  const end = performance.now() + ROUND_MS;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) await c.run();
    n += 200;
  }
  return n / (ROUND_MS / 1000);
}

const results = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (const c of contenders) await round(c); // warm-up
for (let r = 0; r < ROUNDS; r++) for (const c of contenders) results.get(c.name)!.push(await round(c));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ref = median(results.get(contenders[0]!.name)!);
if (!WEB_CRYPTO_ONLY) console.log(`webhook verification, 1,024-byte payload, median of ${ROUNDS} rounds of ${ROUND_MS} ms (Node ${process.version})`);
for (const c of WEB_CRYPTO_ONLY ? contenders.slice(1) : contenders) {
  const ops = median(results.get(c.name)!);
  console.log(`  ${c.name.padEnd(68)} ${Math.round(ops).toLocaleString('en-US').padStart(9)} verifications/s  ${(ops / ref).toFixed(2)}x reference`);
}

if (!WEB_CRYPTO_ONLY) {
  // The Web Crypto path in a fresh process (the node:crypto lookup is made once per process).
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--webcrypto'], { encoding: 'utf8' });
  process.stdout.write(child.stdout.replace(/x reference/g, 'x reference (in its own process)'));
  if (child.status !== 0) process.stderr.write(child.stderr);
}
