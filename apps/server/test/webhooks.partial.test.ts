// One graphile-worker batch job whose messages partly fail. A fan-out to three
// subscriptions is queued as one batch job: one receiver answers 200, one answers 503 and
// then 500 before 200, one does not answer the first attempt within the timeout. The
// failures must each be retried on the retry schedule by a job of their own (the next
// attempt, keyed by the message), the successes must not be sent again, and every message
// must end delivered with exactly the attempts it took in the log.
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES_PER_JOB } from '../src/webhooks/jobs.js';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

/** Seconds before attempt 2 and 3 (attempt 1 runs at once); ±10 % jitter. */
const SCHEDULE = [0, 2, 1];
const TIMEOUT_MS = 500;
/** As many events as fit one batch job with one message per subscription each. */
const EVENTS = Math.min(10, Math.floor(MESSAGES_PER_JOB / 3));

let t: TestServer;
let worker: WebhookWorker | undefined;
const receivers: Receiver[] = [];
const logLines: { level: number; msg: string }[] = [];

/** Answers each message's n-th request as told (n from 1), counting per webhook-id. */
async function receiverBy(answer: (nth: number, res: ServerResponse) => void): Promise<Receiver> {
  const seen = new Map<string, number>();
  const r = await startReceiver((req, _n, res) => {
    const id = String(req.headers['webhook-id']);
    const nth = (seen.get(id) ?? 0) + 1;
    seen.set(id, nth);
    answer(nth, res);
  });
  receivers.push(r);
  return r;
}

beforeAll(async () => {
  t = await startTestServer({
    env: { WEBHOOK_RETRY_SCHEDULE: SCHEDULE.join(','), WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS), WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' },
  });
});
afterAll(async () => {
  await worker?.stop();
  for (const r of receivers) await r.close();
  await t?.close();
});

interface Row {
  webhook_message_id: string;
  attempt: number;
  status: string;
  response_code: number | null;
  error_message: string | null;
}

describe('a batch job whose messages partly fail', () => {
  it('retries each failure on schedule in a job of its own, never re-sends a success, and loses nothing', async () => {
    const ok = await receiverBy((_nth, res) => res.writeHead(200).end('ok'));
    const flaky = await receiverBy((nth, res) => res.writeHead(nth === 1 ? 503 : nth === 2 ? 500 : 200).end());
    // The first request is left unanswered: the worker gives up on it at the timeout.
    const slow = await receiverBy((nth, res) => void (nth > 1 && res.writeHead(200).end('ok')));

    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']);
    const subs = new Map<string, Receiver>();
    for (const r of [ok, flaky, slow]) {
      subs.set((await subscribe(t, key, 'interaction_event.created', r.url)).id, r);
    }
    const events = viewedEvents(EVENTS, 'partial');
    expect((await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events })).status).toBe(201);

    // Queued as one batch job carrying every message (the public view has no payload).
    const queued = await t.sql<{ payload: { m: string; a: number }[] }[]>`SELECT payload FROM graphile_worker._private_jobs`;
    expect(queued).toHaveLength(1);
    const messages = await t.sql<{ id: string; webhook_subscription_id: string }[]>`SELECT id, webhook_subscription_id FROM webhook_messages`;
    expect(messages).toHaveLength(3 * EVENTS);
    expect(new Set(queued[0]!.payload.map((p) => p.m))).toEqual(new Set(messages.map((m) => m.id)));
    const to = (r: Receiver) => messages.filter((m) => subs.get(m.webhook_subscription_id) === r).map((m) => m.id);

    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as never);
        done();
      },
    });
    worker = await startTestWorker(t, { logger: pino({ level: 'warn' }, sink), concurrency: 16 });

    // After the first round: the successes are logged, and each failure has a job of its
    // own for attempt 2, keyed by its message, due on the schedule; the batch job is gone.
    const firstRoundAt = Date.now();
    const deadline = firstRoundAt + 15_000;
    const firstRoundDone = async () => {
      const [row] = await t.sql<{ logged: number; batches: number }[]>`
        SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE attempt = 1) AS logged,
          (SELECT count(*)::int FROM graphile_worker._private_jobs WHERE json_typeof(payload) = 'array') AS batches`;
      return row!.logged === 3 * EVENTS && row!.batches === 0;
    };
    while (!(await firstRoundDone()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    const retries = await t.sql<{ key: string | null; payload: { m: string; a: number }; in_ms: number; run_at: number }[]>`
      SELECT key, payload, (extract(epoch FROM run_at - now()) * 1000)::float8 AS in_ms,
        (extract(epoch FROM run_at) * 1000)::float8 AS run_at
      FROM graphile_worker._private_jobs`;
    const failing = [...to(flaky), ...to(slow)];
    expect(retries.map((j) => j.key).sort()).toEqual([...failing].sort());
    for (const j of retries) {
      expect(j.payload).toEqual({ m: j.key, a: 2 });
      // Due on the schedule (2 s ±10 %), not yet: the retry has not already happened.
      expect(j.in_ms).toBeGreaterThan(0);
      expect(j.in_ms).toBeLessThanOrEqual(SCHEDULE[1]! * 1.1 * 1000);
    }

    await ok.waitFor(EVENTS, 15_000);
    await flaky.waitFor(3 * EVENTS, 15_000);
    await slow.waitFor(2 * EVENTS, 15_000);
    const settled = Date.now() + 10_000;
    const states = () => t.sql<{ state: string; n: number }[]>`SELECT state, count(*)::int AS n FROM webhook_messages GROUP BY state`;
    while ((await states()).some((s) => s.state !== 'delivered') && Date.now() < settled) await new Promise((r) => setTimeout(r, 50));
    expect(await states()).toEqual([{ state: 'delivered', n: 3 * EVENTS }]);
    // Nothing more arrives: each success was sent once, each failure as often as it took.
    await new Promise((r) => setTimeout(r, 1500));
    expect(ok.received).toHaveLength(EVENTS);
    expect(flaky.received).toHaveLength(3 * EVENTS);
    expect(slow.received).toHaveLength(2 * EVENTS);
    expect(new Set(ok.received.map((r) => r.headers['webhook-id']))).toEqual(new Set(to(ok)));

    // The log: one delivered row per success; the failures' attempts in order, then the success.
    const rows = await t.sql<Row[]>`
      SELECT webhook_message_id, attempt, status, response_code, error_message FROM webhook_deliveries ORDER BY webhook_message_id, attempt`;
    const attemptsOf = (id: string) => rows.filter((r) => r.webhook_message_id === id).map((r) => [r.attempt, r.status, r.response_code]);
    for (const id of to(ok)) expect(attemptsOf(id)).toEqual([[1, 'delivered', 200]]);
    for (const id of to(flaky)) expect(attemptsOf(id)).toEqual([[1, 'failed', 503], [2, 'failed', 500], [3, 'delivered', 200]]);
    for (const id of to(slow)) {
      expect(attemptsOf(id)).toEqual([[1, 'failed', null], [2, 'delivered', 200]]);
      expect(rows.find((r) => r.webhook_message_id === id && r.attempt === 1)!.error_message).toMatch(/timed out|timeout/i);
    }

    // Each retry came when its job was due, not before, and was taken up promptly.
    const receipts = (r: Receiver, id: string) => r.received.filter((x) => x.headers['webhook-id'] === id).map((x) => x.at);
    for (const [r, id] of [...to(flaky).map((id) => [flaky, id] as const), ...to(slow).map((id) => [slow, id] as const)]) {
      const due = retries.find((j) => j.key === id)!.run_at;
      const second = receipts(r, id)[1]!;
      expect(second).toBeGreaterThanOrEqual(due);
      expect(second - due).toBeLessThan(1500);
    }
    // A retry after an answered failure is scheduled from the answer, after its receipt.
    for (const id of to(flaky)) {
      const [first, second, third] = receipts(flaky, id);
      expect(second! - first!).toBeGreaterThanOrEqual(SCHEDULE[1]! * 900);
      expect(third! - second!).toBeGreaterThanOrEqual(SCHEDULE[2]! * 900);
      expect(third! - second!).toBeLessThan(SCHEDULE[2]! * 1100 + 1500);
    }

    // Our retries are ours: graphile-worker saw no job fail and nothing was logged at warn or above.
    expect(logLines.map((l) => l.msg)).toEqual([]);
  }, 60_000);
});
