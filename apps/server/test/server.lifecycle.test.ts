import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/harness.js';
import { spawnServer } from './support/process.js';

const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;

async function adminPost(url: string, path: string, body: unknown) {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { id: string; key: string };
}

describe('graceful shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('drains in-flight requests on SIGTERM, refuses new ones, and exits 0', async () => {
    const server = spawnServer({ DATABASE_URL: db.url, IHF_ADMIN_TOKEN: adminToken, IHF_SECRET_KEY: randomBytes(32).toString('base64') });
    const { url } = (await server.waitForLog('IHF External API listening')) as { url: string };
    const consumer = await adminPost(url, '/api/v2/admin/consumers', { name: 'drain' });
    const { key } = await adminPost(url, `/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['annotations:read'] });

    // Hold a lock that key lookups wait on, so these requests are certainly in flight.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const lockHeld = new Promise<void>((locked) => {
      void db.sql.begin(async (tx) => {
        await tx`LOCK TABLE api_keys IN ACCESS EXCLUSIVE MODE`;
        locked();
        await released;
      });
    });
    await lockHeld;
    const inFlight = Array.from({ length: 20 }, () =>
      fetch(`${url}/api/v2/me`, { headers: { authorization: `Bearer ${key}` } }).then(
        (r) => r.status,
        (err: Error) => `${err.message}: ${String(err.cause)}`,
      ),
    );
    // Wait until all 20 are waiting on the lock inside the server.
    for (let i = 0; i < 100; i++) {
      const [row] = await db.sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
      if (row!.n >= 1) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));

    server.child.kill('SIGTERM');
    await server.waitForLog('shutting down: draining in-flight requests');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    release();

    const statuses = await Promise.all(inFlight);
    expect(statuses, server.output()).toEqual(Array(20).fill(200));
    expect(await server.exited).toEqual({ code: 0, signal: null });
  });
});

describe('embedded PostgreSQL', () => {
  it('starts after a SIGKILLed run left its PostgreSQL behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ihf-embedded-'));
    const env = { EMBEDDED_PG_DIR: dir, IHF_ADMIN_TOKEN: adminToken, IHF_SECRET_KEY: randomBytes(32).toString('base64') };
    try {
      const first = spawnServer(env);
      await first.waitForLog('IHF External API listening');
      const orphanPid = Number(readFileSync(join(dir, 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
      first.child.kill('SIGKILL');
      await first.exited;
      expect(() => process.kill(orphanPid, 0)).not.toThrow(); // the orphan is still running

      const second = spawnServer(env);
      const { url } = (await second.waitForLog('IHF External API listening')) as { url: string };
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      expect(() => process.kill(orphanPid, 0)).toThrow(); // and the next start cleared it
      second.child.kill('SIGTERM');
      expect((await second.exited).code, second.output()).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
