// A success that cannot be logged. A delivered attempt gives its slot to the next one
// while its success waits for the batched log; when that log statement fails (here a
// trigger refuses every insert into webhook_deliveries), the attempts must fail their
// batch job entries (graphile-worker runs them again) without an unhandled rejection, and
// once the log accepts rows again every message ends delivered, logged once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

const EVENTS = 20;

let t: TestServer;
let receiver: Receiver;
let worker: WebhookWorker | undefined;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  // A short timeout keeps the claim lease short: a claimed attempt whose log failed is
  // taken over once its lease has run out.
  t = await startTestServer({ env: { WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  receiver = await startReceiver();
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await worker?.stop();
  await receiver?.close();
  await t?.close();
});

describe('a success log that fails', () => {
  it('fails the attempts’ job entries without an unhandled rejection, and logs every message once it can', async () => {
    await t.sql`CREATE FUNCTION test_refuse_log() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'log refused by the test'; END $$`;
    await t.sql`CREATE TRIGGER test_refuse_log BEFORE INSERT ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION test_refuse_log()`;
    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']);
    await subscribe(t, key, 'interaction_event.created', receiver.url);
    const events = viewedEvents(EVENTS, 'log', '2026-11-26T10:00:00Z');
    expect((await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events })).status).toBe(201);

    worker = await startTestWorker(t, { concurrency: 4 });
    await receiver.waitFor(EVENTS, 10_000);
    // The batch job failed (its entries are queued again by graphile-worker); nothing is logged.
    await until('the batch job to fail', async () => {
      const [job] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE attempts > 0 AND last_error IS NOT NULL`;
      return job!.n > 0;
    }, 10_000);
    const [none] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_deliveries`;
    expect(none!.n).toBe(0);

    await t.sql`DROP TRIGGER test_refuse_log ON webhook_deliveries`;
    await until('every message to be delivered', async () => {
      const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_messages WHERE state = 'delivered'`;
      return row!.n === EVENTS;
    }, 40_000);
    const logged = await t.sql<{ m: string; n: number }[]>`
      SELECT webhook_message_id AS m, count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered' GROUP BY 1`;
    expect(logged).toHaveLength(EVENTS);
    expect(logged.every((r) => r.n === 1)).toBe(true);
    // At least once: each message arrived, those whose success was lost more than once.
    const ids = receiver.received.map((r) => String(r.headers['webhook-id']));
    expect(new Set(ids)).toEqual(new Set(logged.map((r) => r.m)));
    expect(unhandled).toEqual([]);
  }, 60_000);
});
