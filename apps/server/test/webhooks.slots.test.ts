import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

// One request slot (WEBHOOK_CONCURRENCY=1) with four attempts claimed around it, and a
// receiver that takes 2.8 s per answer. With a 3 s timeout the claim's lease is 11 s, so
// a request must start within 7 s of its claim: the fourth claim would start at 8.4 s,
// so it is not sent then but re-queued until its lease has run out. It must still arrive,
// and no message may arrive twice.
const TIMEOUT_MS = 3000;
const ANSWER_AFTER_MS = 2800;

let t: TestServer;
let worker: WebhookWorker;
let receiver: Receiver;
const logLines: { msg?: string; messageId?: string }[] = [];

beforeAll(async () => {
  t = await startTestServer({
    env: { WEBHOOK_RETRY_SCHEDULE: '0,0.2', WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as never);
      done();
    },
  });
  worker = await startTestWorker(t, { logger: pino({ level: 'warn' }, sink), concurrency: 1 });
  receiver = await startReceiver((_req, _n, res) => {
    setTimeout(() => res.writeHead(200).end('ok'), ANSWER_AFTER_MS);
  });
});
afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await t?.close();
});

describe('webhook request slots', () => {
  it('re-queues a claim that waited past its lease for a request slot, and sends every message once', async () => {
    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']);
    await subscribe(t, key, 'interaction_event.created', receiver.url);
    const events = viewedEvents(4, 'slot');
    expect((await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events })).status).toBe(201);

    const got = await receiver.waitFor(4, 40_000);
    const ids = got.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids).size).toBe(4);
    // The path under test was taken: the fourth attempt (on a slow machine perhaps the
    // third too) was held back rather than sent late, and still arrived.
    const requeued = logLines.filter((l) => l.msg?.includes('re-queued')).map((l) => l.messageId);
    expect(requeued.length).toBeGreaterThanOrEqual(1);
    for (const id of requeued) expect(ids).toContain(id);

    // Nothing more arrives, and the log holds one delivered attempt per message.
    await new Promise((r) => setTimeout(r, ANSWER_AFTER_MS + 1000));
    expect(receiver.received).toHaveLength(4);
    const rows = await t.sql<{ webhook_message_id: string; attempt: number; status: string }[]>`
      SELECT webhook_message_id, attempt, status FROM webhook_deliveries ORDER BY webhook_message_id`;
    expect(rows.map((r) => [r.attempt, r.status])).toEqual(Array.from({ length: 4 }, () => [1, 'delivered']));
    expect(new Set(rows.map((r) => r.webhook_message_id))).toEqual(new Set(ids));
  }, 60_000);
});
