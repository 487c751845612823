// A graceful stop of the webhook worker (SIGTERM to IHF_ROLE=worker, the real entry
// point) in the middle of a fan-out: the attempts in flight finish and are logged, the
// ones not started yet are handed back to the queue runnable at once (no failed jobs, no
// graphile-worker backoff), nothing is logged at error level, and another worker then
// delivers the rest, each message exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import type { ServerProcess } from './support/process.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { spawnTestWorker, subscribe } from './support/webhooks.js';

const EVENTS = 1000;

let t: TestServer;
let receiver: Receiver;
const children: ServerProcess[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  // 10 ms per answer and 4 request slots: the fan-out takes a few seconds, so most of it is
  // still queued (in batch jobs waiting for attempt slots) when the worker is stopped.
  receiver = await startReceiver((_r, _n, res) => void setTimeout(() => res.writeHead(204).end(), 10));
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await receiver?.close();
  await t?.close();
});

async function worker(): Promise<ServerProcess> {
  const p = await spawnTestWorker(t, { WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_RETRY_SCHEDULE: '0,1,1', WEBHOOK_CONCURRENCY: '4' });
  children.push(p);
  return p;
}

/** The child's JSON log lines at error level or above (pino: error 50, fatal 60). */
const errorLines = (p: ServerProcess) =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .filter((l) => l.level >= 50);

describe('webhook worker graceful stop', () => {
  it('finishes in-flight attempts, hands the rest back runnable at once, logs no error, and another worker delivers each message once', async () => {
    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']);
    await subscribe(t, key, 'interaction_event.created', receiver.url);

    const first = await worker();
    const events = viewedEvents(EVENTS, 'stop');
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(201);
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((e) => e.id);

    await receiver.waitFor(100, 30_000);
    const termAt = Date.now();
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    const stopMs = Date.now() - termAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(errorLines(first)).toEqual([]);
    const byFirst = receiver.received.length;
    expect(byFirst).toBeLessThan(EVENTS);

    // Everything the stopped worker sent was logged as delivered (it finished its
    // in-flight attempts), and every message not delivered yet is in a job that is
    // unlocked, not failed, and runnable now.
    const [delivered] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_messages WHERE state = 'delivered'`;
    expect(delivered!.n).toBe(byFirst);
    const jobs = await t.sql<{ payload: unknown; locked_by: string | null; last_error: string | null; attempts: number; due: boolean }[]>`
      SELECT payload, locked_by, last_error, attempts, run_at <= now() AS due FROM graphile_worker._private_jobs`; // the public view has no payload
    for (const job of jobs) expect({ locked_by: job.locked_by, last_error: job.last_error, attempts: job.attempts, due: job.due }).toEqual({ locked_by: null, last_error: null, attempts: 0, due: true });
    const queued = new Set(jobs.flatMap((j) => (Array.isArray(j.payload) ? j.payload : [j.payload]) as { m: string }[]).map((p) => p.m));
    const pending = await t.sql<{ id: string }[]>`SELECT id FROM webhook_messages WHERE state = 'pending'`;
    expect(pending.length).toBe(EVENTS - byFirst);
    expect(pending.filter((p) => !queued.has(p.id))).toEqual([]);

    const secondReadyAt = Date.now();
    await worker();
    await receiver.waitFor(EVENTS, 30_000);
    const drainMs = Date.now() - secondReadyAt;
    await new Promise((r) => setTimeout(r, 500));
    const webhookIds = receiver.received.map((r) => r.headers['webhook-id']);
    expect(webhookIds).toHaveLength(EVENTS);
    expect(new Set(webhookIds).size).toBe(EVENTS);
    expect(new Set(receiver.received.map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id))).toEqual(new Set(ids));
    console.log(`graceful stop: ${byFirst} delivered before SIGTERM, stop took ${stopMs} ms, ${jobs.length} jobs handed over, the next worker delivered the other ${EVENTS - byFirst} in ${drainMs} ms`);
  }, 60_000);
});
