// Scale-out: a fan-out's batch jobs are shared by the workers that run. A worker runs
// only BATCH_JOBS batch jobs at once (one alone fills its attempt slots) and fetches one
// more than that ahead, so the rest of a large fan-out stays in the queue for the next
// worker to take, instead of sitting locked in the first one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELIVER_BATCH_TASK, MESSAGES_PER_JOB } from '../src/webhooks/jobs.js';
import { BATCH_JOBS, type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

const EVENTS = 2000;
/** Batch jobs one worker may hold: BATCH_JOBS running and its local queue (one per slot, plus one). */
const MAX_HELD = 2 * BATCH_JOBS + 1;

let t: TestServer;
let receiver: Receiver;
const workers: WebhookWorker[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  // Slow enough that the fan-out is still running when the second worker starts.
  receiver = await startReceiver((_r, _n, res) => void setTimeout(() => res.writeHead(200).end('ok'), 20));
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await receiver?.close();
  await t?.close();
});

/** Batch jobs locked per worker pool. */
async function heldBatchJobs(): Promise<number[]> {
  const rows = await t.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM graphile_worker.jobs
    WHERE task_identifier = ${DELIVER_BATCH_TASK} AND locked_by IS NOT NULL GROUP BY locked_by`;
  return rows.map((r) => r.n);
}

describe('a fan-out and two workers', () => {
  it('leaves the batch jobs a worker cannot run yet to the next worker, and delivers each message once', async () => {
    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']);
    await subscribe(t, key, 'interaction_event.created', receiver.url);
    for (let b = 0; b < EVENTS / 1000; b++) {
      const events = viewedEvents(1000, `share-${b}`, '2026-11-26T10:00:00Z');
      expect((await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events })).status).toBe(201);
    }
    const [queued] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = ${DELIVER_BATCH_TASK}`;
    expect(queued!.n).toBe(EVENTS / MESSAGES_PER_JOB);
    expect(queued!.n).toBeGreaterThan(2 * MAX_HELD); // so that holding too many would show

    const start = () => startTestWorker(t, { concurrency: 4 });
    workers.push(await start());
    await until('the first worker to hold batch jobs', async () => (await heldBatchJobs()).length === 1, 5000);
    await new Promise((r) => setTimeout(r, 500));
    const first = await heldBatchJobs();
    expect(first).toHaveLength(1);
    expect(first[0]).toBeLessThanOrEqual(MAX_HELD);

    workers.push(await start());
    await until('both workers to hold batch jobs', async () => (await heldBatchJobs()).length === 2, 5000);
    for (const held of await heldBatchJobs()) expect(held).toBeLessThanOrEqual(MAX_HELD);

    await receiver.waitFor(EVENTS, 60_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(EVENTS);
    expect(receiver.received).toHaveLength(EVENTS);
  }, 90_000);
});
