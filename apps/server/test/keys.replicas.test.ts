// Two replicas on one database, each with its own connection pool and auth cache, as two
// processes would be: a change made through one is refused by the other at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createSql, type Sql } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { listen, type RunningServer } from '../src/server.js';
import { createTestDatabase, readProblem, startTestServer, testConfig, type TestDatabase, type TestServer } from './support/harness.js';

interface Replica {
  url: string;
  sql: Sql;
  running: RunningServer;
  services: ReturnType<typeof createApp>['services'];
  as(key: string, method: string, path: string): Promise<Response>;
  admin(method: string, path: string, body?: unknown): Promise<Response>;
}

/** A replica: its own pool, app and cache on the shared database. */
async function startReplica(url: string, adminToken: string): Promise<Replica> {
  const sql = createSql(url, { max: 5 });
  const config = testConfig(url, { IHF_ADMIN_TOKEN: adminToken });
  const { app, services } = createApp({ config, sql, logger: createLogger('silent') });
  const running = await listen(app, 0);
  const call = (auth: string, method: string, path: string, body?: unknown) =>
    fetch(running.url + path, {
      method,
      headers: { authorization: `Bearer ${auth}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    url: running.url,
    sql,
    running,
    services,
    as: (key, method, path) => call(key, method, path),
    admin: (method, path, body) => call(adminToken, method, path, body),
  };
}

let db: TestDatabase;
let main: TestServer;
let a: Replica;
let b: Replica;

beforeAll(async () => {
  db = await createTestDatabase();
  main = await startTestServer({ database: db });
  a = await startReplica(db.url, main.adminToken);
  b = await startReplica(db.url, main.adminToken);
  await Promise.all([a.services.authCache.ready, b.services.authCache.ready]);
});

afterAll(async () => {
  for (const r of [a, b]) {
    await r?.running.stop(1000);
    await r?.sql.end({ timeout: 5 });
  }
  await main?.close();
  await db?.drop();
});

/** Warms both replicas' caches with the credential, proving it works before the change. */
async function warm(key: string) {
  for (const server of [a, b]) {
    for (let i = 0; i < 2; i++) expect((await server.as(key, 'GET', '/api/v2/me')).status).toBe(200);
  }
}

describe('auth cache across replicas', () => {
  it('serves repeated requests from the cache, not the database', async () => {
    const { key } = await main.consumerWithKey(['usage:read']);
    const before = b.services.authCache.stats();
    for (let i = 0; i < 20; i++) expect((await b.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    const after = b.services.authCache.stats();
    expect(after.misses - before.misses).toBe(1);
    expect(after.hits - before.hits).toBe(19);
  });

  /**
   * The writer answers only once its own LISTEN connection has the invalidation; PostgreSQL
   * signals every listener at that same commit, so another replica has it within
   * milliseconds (bench/auth-cache.ts measures how many). The writer is checked on the
   * very next request; the other replica within a bound far below any client's reaction.
   */
  async function refusedEverywhere(writer: Replica, other: Replica, key: string, detail: RegExp) {
    const first = await writer.as(key, 'GET', '/api/v2/me');
    expect(first.status).toBe(401);
    expect((await readProblem(first)).detail).toMatch(detail);
    const started = Date.now();
    await expect.poll(async () => (await other.as(key, 'GET', '/api/v2/me')).status, { timeout: 500, interval: 5 }).toBe(401);
    return Date.now() - started;
  }

  it('a key revoked on replica A is refused by A at once and by replica B within milliseconds', async () => {
    const { consumerId, keyId, key } = await main.consumerWithKey(['usage:read']);
    await warm(key);
    expect((await a.admin('POST', `/api/v2/admin/consumers/${consumerId}/keys/${keyId}/revoke`)).status).toBe(200);
    const lag = await refusedEverywhere(a, b, key, /revoked/);
    expect(lag).toBeLessThan(500);
  });

  it('a consumer deactivated on replica B is refused by B at once and by replica A within milliseconds', async () => {
    const { consumerId, key } = await main.consumerWithKey(['usage:read']);
    await warm(key);
    expect((await b.admin('POST', `/api/v2/admin/consumers/${consumerId}/deactivate`)).status).toBe(200);
    await refusedEverywhere(b, a, key, /deactivated/);
  });

  it('a change made by plain SQL (no service call) still reaches every replica', async () => {
    const { keyId, key } = await main.consumerWithKey(['usage:read']);
    await warm(key);
    await db.sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`;
    // NOTIFY is delivered asynchronously after commit; allow it a moment, no more.
    await expect.poll(async () => (await b.as(key, 'GET', '/api/v2/me')).status, { timeout: 2000, interval: 20 }).toBe(401);
    expect((await a.as(key, 'GET', '/api/v2/me')).status).toBe(401);
  });

  it('narrowing a manifest on one replica narrows the key there at once and on the other within milliseconds', async () => {
    const manifest = await (
      await main.admin('POST', '/api/v2/admin/manifests', {
        name: `hub-${Date.now()}`,
        version: '1.0.0',
        scopes: ['usage:read', 'annotations:read'],
      })
    ).json();
    const { key } = await main.consumerWithKey(['usage:read'], { hub_capability_manifest_id: manifest.id });
    await warm(key);
    const patched = await b.admin('PATCH', `/api/v2/admin/manifests/${manifest.id}`, { scopes: ['annotations:read'] });
    expect(patched.status).toBe(200);
    const scopes = async (r: Replica) => ((await (await r.as(key, 'GET', '/api/v2/me')).json()) as { scopes: string[] }).scopes;
    expect(await scopes(b)).toEqual([]);
    await expect.poll(() => scopes(a), { timeout: 500, interval: 5 }).toEqual([]);
  });
});
