// Shared set-up of the webhook and ingest benchmarks: a fresh migrated database (on
// DATABASE_URL's server, or an embedded PostgreSQL), the real app on loopback, and an
// enterprise consumer whose limits sit far above the load.
import { randomBytes } from 'node:crypto';
import { createApp } from '../../apps/server/src/app.js';
import { loadConfig, type Config } from '../../apps/server/src/config.js';
import { createSql, type Sql } from '../../apps/server/src/db/client.js';
import { createLogger } from '../../apps/server/src/logger.js';
import { listen, type RunningServer } from '../../apps/server/src/server.js';
import { benchDatabase } from './database.js';

export interface BenchEnv {
  url: string;
  databaseUrl: string;
  sql: Sql;
  config: Config;
  key: string;
  post(path: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export async function benchEnv(extra: Record<string, string> = {}): Promise<BenchEnv> {
  const database = await benchDatabase();
  const databaseUrl = database.url;
  const sql = createSql(databaseUrl, { max: 10 });
  const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    IHF_ADMIN_TOKEN: adminToken,
    IHF_SECRET_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    BURST_THRESHOLD: '1000000',
    ...extra,
  });
  const { app, services } = createApp({ config, sql, logger: createLogger('silent') });
  const running: RunningServer = await listen(app, 0, '127.0.0.1');
  const call = (token: string, path: string, body: unknown) =>
    fetch(running.url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const consumer = (await (
    await call(adminToken, '/api/v2/admin/consumers', {
      name: 'bench',
      tier: 'enterprise',
      rate_limit_per_minute: 1_000_000,
      quota_per_day: 1_000_000_000,
      burst_threshold: 1_000_000,
    })
  ).json()) as { id: string };
  const issued = (await (
    await call(adminToken, `/api/v2/admin/consumers/${consumer.id}/keys`, {
      scopes: ['interaction-events:write', 'interaction-events:read', 'webhooks:manage'],
    })
  ).json()) as { key: string };
  return {
    url: running.url,
    databaseUrl,
    sql,
    config,
    key: issued.key,
    post: (path, body) => call(issued.key, path, body),
    async close() {
      await running.stop(1000);
      const traffic = (services as { traffic?: { close(): Promise<void> } }).traffic;
      await traffic?.close();
      await sql.end({ timeout: 5 });
      await database.drop();
    },
  };
}

export const events = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({
    event_type: i % 3 === 0 ? 'clicked' : 'viewed',
    subject_id: `${tag}-${i}`,
    actor_id: `actor-${i % 97}`,
    occurred_at: new Date().toISOString(),
    properties: { page: '/checkout', position: i % 10, experiment: 'b' },
  }));

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
