// Crash safety of the delivery engine: worker processes (IHF_ROLE=worker, the real
// entry point) are SIGKILLed in the middle of a fan-out and restarted; every event must
// still reach the receiver at least once. Two live workers must never send one attempt twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import type { ServerProcess } from './support/process.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { RECORD_READ_SCOPES } from './support/scopes.js';
import { spawnTestWorker, subscribe } from './support/webhooks.js';

let t: TestServer;
let receiver: Receiver;
const children: ServerProcess[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  // A receiver that takes a few milliseconds, so a fan-out of 1,000 is still running when the worker is killed.
  receiver = await startReceiver((_r, _n, res) => void setTimeout(() => res.writeHead(204).end(), 3));
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await receiver?.close();
  await t?.close();
});

async function worker(): Promise<ServerProcess> {
  const p = await spawnTestWorker(t, { WEBHOOK_TIMEOUT_MS: '1000', WEBHOOK_RETRY_SCHEDULE: '0,0.5,0.5,1,1,2,2,5', WEBHOOK_CONCURRENCY: '16' });
  children.push(p);
  return p;
}

const dataIds = (from = 0) => receiver.received.slice(from).map((r) => (JSON.parse(r.body) as { data: { id: string } }).data.id);

async function fanOut(key: string, n: number): Promise<string[]> {
  const events = viewedEvents(n, 'crash');
  const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
  expect(res.status).toBe(201);
  return ((await res.json()) as { data: { id: string }[] }).data.map((e) => e.id);
}

describe('webhook worker crash safety', () => {
  it('delivers every one of 1,000 events at least once across a SIGKILL and a restart', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'interaction-events:write', 'webhooks:manage']);
    await subscribe(t, key, 'interaction_event.created', receiver.url);
    const start = receiver.received.length;

    const first = await worker();
    const ids = await fanOut(key, 1000);
    await receiver.waitFor(start + 150, 30_000);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeRestart = receiver.received.length - start;
    expect(beforeRestart).toBeLessThan(1000);

    await worker();
    await receiver.waitFor(start + 1000, 60_000);
    const deadline = Date.now() + 60_000;
    while (new Set(dataIds(start)).size < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const got = new Set(dataIds(start));
    expect(ids.filter((id) => !got.has(id))).toEqual([]);
    const duplicates = receiver.received.length - start - got.size;
    console.log(`crash test: ${beforeRestart} delivered before SIGKILL, ${got.size} distinct after restart, ${duplicates} duplicates`);
  }, 120_000);

  it('two live workers on one queue never send one attempt twice', async () => {
    const { key } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'interaction-events:write', 'webhooks:manage']);
    // The first test's subscription is still there: remove it so only this one receives.
    await t.sql`UPDATE webhook_subscriptions SET deleted_at = now(), is_active = false`;
    await subscribe(t, key, 'interaction_event.created', receiver.url);
    // The restarted worker of the first test is still running: with this one, two compete for the jobs.
    await worker();
    const start = receiver.received.length;
    const ids = await fanOut(key, 600);
    await receiver.waitFor(start + 600, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const webhookIds = receiver.received.slice(start).map((r) => r.headers['webhook-id']);
    expect(webhookIds).toHaveLength(600);
    expect(new Set(webhookIds).size).toBe(600);
    expect(new Set(dataIds(start))).toEqual(new Set(ids));
  }, 120_000);
});
