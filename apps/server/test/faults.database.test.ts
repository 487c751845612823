// The API while its PostgreSQL is stopped under load (an embedded PostgreSQL of this file's
// own, stopped for 10 s and started again on the same port and data): every answer is a 200
// or a 503 problem document with Retry-After, promptly; /readyz is 503; and full service
// is back within 5 s of PostgreSQL's return, without a restart of the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded.js';
import { migrateUp } from '../src/db/migrate.js';
import { startTestServer, type TestServer } from './support/harness.js';

const OUTAGE_MS = 10_000;
const quiet = { info: () => {}, warn: () => {} };

let dataDir: string;
let pg: EmbeddedDatabase | undefined;
let t: TestServer;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ihf-faults-pg-'));
  pg = await startEmbeddedPostgres(dataDir, quiet, { persistent: true });
  await migrateUp(pg.url);
  const sql = createSql(pg.url, { max: 10 });
  t = await startTestServer({ database: { url: pg.url, sql, drop: () => sql.end({ timeout: 5 }) } });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await t?.db.drop();
  await pg?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Outcome {
  at: number;
  ms: number;
  path: string;
  status: number | string;
  retryAfter: string | null;
  type: string | null;
}

describe('PostgreSQL stopped under load', () => {
  it('answers 503 with Retry-After, never 500 or a hang, and recovers by itself', async () => {
    const { key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write'], { tier: 'enterprise', burst_threshold: 100_000, rate_limit_per_minute: 1_000_000 });
    const outcomes: Outcome[] = [];
    let running = true;
    let n = 0;
    const call = async (path: string, init: RequestInit) => {
      const at = Date.now();
      try {
        const res = await fetch(t.url + path, { ...init, signal: AbortSignal.timeout(8000) });
        await res.arrayBuffer();
        outcomes.push({ at, ms: Date.now() - at, path, status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') });
      } catch (err) {
        outcomes.push({ at, ms: Date.now() - at, path, status: (err as Error).name, retryAfter: null, type: null });
      }
    };
    const auth = { authorization: `Bearer ${key}` };
    const loop = async () => {
      while (running) {
        const i = n++;
        if (i % 3 === 0) await call('/api/v2/me', { headers: auth });
        else if (i % 3 === 1) await call('/api/v2/interaction-events?limit=5', { headers: auth });
        else
          await call('/api/v2/interaction-events', {
            method: 'POST',
            headers: { ...auth, 'content-type': 'application/json' },
            body: JSON.stringify({ event_type: 'viewed', subject_id: `s-${i}`, actor_id: 'faults', occurred_at: '2026-11-25T10:00:00Z' }),
          });
        await sleep(20);
      }
    };
    const readiness: Outcome[] = [];
    const probe = async () => {
      while (running) {
        const at = Date.now();
        try {
          const res = await fetch(`${t.url}/readyz`, { signal: AbortSignal.timeout(8000) });
          await res.arrayBuffer();
          readiness.push({ at, ms: Date.now() - at, path: '/readyz', status: res.status, retryAfter: res.headers.get('retry-after'), type: res.headers.get('content-type') });
        } catch (err) {
          readiness.push({ at, ms: Date.now() - at, path: '/readyz', status: (err as Error).name, retryAfter: null, type: null });
        }
        await sleep(250);
      }
    };
    const loops = [...Array.from({ length: 8 }, loop), probe()];
    // Serving before the outage.
    await sleep(2000);
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 201)).toEqual([]);

    const port = Number(new URL(pg!.url).port);
    const stoppedAt = Date.now();
    await pg!.stop();
    await sleep(OUTAGE_MS);
    pg = await startEmbeddedPostgres(dataDir, quiet, { persistent: true, port });
    const backAt = Date.now();
    await sleep(8000);
    running = false;
    await Promise.all(loops);

    const ok = (o: Outcome) => o.status === 200 || o.status === 201;
    const during = outcomes.filter((o) => o.at >= stoppedAt && o.at < backAt);
    const refused = during.filter((o) => o.status === 503);
    const lastRefusal = outcomes.filter((o) => !ok(o)).at(-1)!;
    const recoveryMs = lastRefusal.at + lastRefusal.ms - backAt;
    console.log(
      `${during.length} requests in the ${OUTAGE_MS} ms outage: ${refused.length} × 503, slowest ${Math.max(...during.map((o) => o.ms))} ms; ` +
        `/readyz slowest ${Math.max(...readiness.map((o) => o.ms))} ms; last refusal ended ${recoveryMs} ms after PostgreSQL was back`,
    );

    // Only successes and 503 problem documents with Retry-After: no 500, no hang.
    expect(outcomes.filter((o) => !ok(o) && o.status !== 503)).toEqual([]);
    expect(outcomes.filter((o) => o.status === 503 && (!o.retryAfter || !o.type?.startsWith('application/problem+json')))).toEqual([]);
    expect(refused.length).toBeGreaterThan(during.length / 2);
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(3000);
    // The probe: 503 at once for the whole outage (once the stop has taken hold); slack for a busy machine.
    const probedDuring = readiness.filter((o) => o.at >= stoppedAt + 1000 && o.at < backAt);
    expect(probedDuring.length).toBeGreaterThan(5);
    expect(probedDuring.filter((o) => o.status !== 503 || o.ms > 2500)).toEqual([]);
    expect(readiness.filter((o) => o.at >= backAt + 5000).every((o) => o.status === 200)).toBe(true);
    // Full service within 5 s of PostgreSQL's return, without a restart.
    expect(recoveryMs).toBeLessThan(5000);
    expect(outcomes.filter((o) => o.at >= backAt + 5000).length).toBeGreaterThan(20);
  }, 120_000);
});
