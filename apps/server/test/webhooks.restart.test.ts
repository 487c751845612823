// The webhook worker across a PostgreSQL restart in the middle of a fan-out (an embedded
// PostgreSQL of this file's own, stopped and started again on the same port and data):
// every event still reaches the receiver (graphile-worker gives up a pool whose batched
// completion fails: the worker starts a new one), the worker's pools hold their liveness
// locks again (their session died with the server; no sweeper may take the jobs of a live
// pool), and the worker then stops cleanly.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded.js';
import { migrateUp } from '../src/db/migrate.js';
import { type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

const EVENTS = 300;
const OUTAGE_MS = 5000;
const quiet = { info: () => {}, warn: () => {} };

let dataDir: string;
let pg: EmbeddedDatabase | undefined;
let t: TestServer;
let receiver: Receiver;
let worker: WebhookWorker | undefined;
const logs: { level: number; msg: string; pools?: string[] }[] = [];
const tried = new Set<string>();
/** Events answered 2xx. */
const delivered = new Set<string>();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ihf-restart-pg-'));
  pg = await startEmbeddedPostgres(dataDir, quiet, { persistent: true });
  await migrateUp(pg.url);
  const sql = createSql(pg.url, { max: 10 });
  t = await startTestServer({
    database: { url: pg.url, sql, drop: () => sql.end({ timeout: 5 }) },
    env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '5000', WEBHOOK_RETRY_SCHEDULE: '0,0.5,1,1,1,1,1,1', WEBHOOK_CONCURRENCY: '4' },
  });
  // Each message's first attempt fails, so the drain runs as single-message retry jobs: one
  // completes every few milliseconds, as in a busy queue, and the outage catches some. 30 ms
  // per success with 4 request slots: most of the retries are still queued when it starts.
  receiver = await startReceiver((r, _n, res) => {
    const id = String(r.headers['webhook-id']);
    if (!tried.has(id)) return void (tried.add(id), res.writeHead(500).end());
    setTimeout(() => (delivered.add((JSON.parse(r.body) as { data: { id: string } }).data.id), res.writeHead(204).end()), 30);
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await t?.close();
  await t?.db.drop();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

describe('webhook worker across a PostgreSQL restart', () => {
  it('delivers every event, takes its liveness locks again, and stops', async () => {
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) });
    worker = await startTestWorker(t, { databaseUrl: pg!.url, logger, sweepIntervalMs: 500 });

    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']);
    await subscribe(t, key, 'interaction_event.created', receiver.url);
    const events = viewedEvents(EVENTS, 'restart');
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(201);
    const ids = ((await res.json()) as { data: { id: string }[] }).data.map((e) => e.id);

    await until(() => delivered.size >= 30, 20_000);
    const port = Number(new URL(pg!.url).port);
    await pg!.stop();
    const beforeOutage = delivered.size;
    expect(beforeOutage).toBeLessThan(EVENTS);
    await sleep(OUTAGE_MS);
    pg = await startEmbeddedPostgres(dataDir, quiet, { persistent: true, port });
    const restartedAt = Date.now();

    // Attempts cut off by the outage come back after graphile-worker's backoff (e^n s) and,
    // when their claim was made, its lease (15 s here): up to about half a minute.
    await until(() => delivered.size >= EVENTS, 60_000).catch(() => {});
    expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
    const drainMs = Date.now() - restartedAt;

    // One slow delivery keeps its job locked by a live pool past the sweepers' 2 s grace:
    // that pool's liveness lock must be held, and no sweeper may release its jobs.
    receiver.respond = (_r, _n, res) => void setTimeout(() => res.writeHead(204).end(), 4000);
    const from = receiver.received.length;
    const one = await t.as(key, 'POST', '/api/v2/interaction-events', { event_type: 'viewed', subject_id: 'restart-slow', actor_id: 'restart', occurred_at: '2026-11-25T10:00:00Z' });
    expect(one.status).toBe(201);
    const [slow] = await receiver.waitFor(from + 1, 15_000).then((r) => r.slice(from));
    const pools = await t.sql<{ locked_by: string }[]>`
      SELECT locked_by FROM graphile_worker._private_jobs
      WHERE locked_by IS NOT NULL AND payload::text LIKE ${`%${String(slow!.headers['webhook-id'])}%`}`;
    expect(pools).toHaveLength(1);
    const live = pools[0]!.locked_by;
    await sleep(2500);
    const [lock] = await t.sql<{ held: boolean }[]>`
      SELECT EXISTS (
        SELECT 1 FROM pg_locks l
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(${`ihf-webhook-worker:${live}`}, 0)
      ) AS held`;
    expect(lock!.held).toBe(true);
    expect(logs.filter((l) => l.msg === 'released webhook jobs held by workers that died' && l.pools?.includes(live))).toEqual([]);

    const stopAt = Date.now();
    await worker.stop();
    const stopMs = Date.now() - stopAt;
    worker = undefined;
    expect(stopMs).toBeLessThan(15_000);
    const replaced = logs.filter((l) => l.msg.startsWith('webhook queue runner stopped on its own')).length;
    console.log(`restart test: ${beforeOutage} delivered before the ${OUTAGE_MS} ms outage, the rest ${drainMs} ms after the restart, ${replaced} queue runner(s) replaced, stop took ${stopMs} ms`);
  }, 120_000);
});
