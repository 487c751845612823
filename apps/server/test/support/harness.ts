// A real server for a test file: its own database cloned from the migrated template,
// the real app listening on port 0, reached over real HTTP.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { Scope } from '@ihf/contract';
import type { Registry } from 'prom-client';
import type { DestinationStream } from 'pino';
import { createApp } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createSql, type Sql } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import { listen, type RunningServer } from '../../src/server.js';
import type { Services } from '../../src/services/index.js';
import { databaseUrlFor } from './db-url.js';

export interface TestDatabase {
  url: string;
  sql: Sql;
  drop(): Promise<void>;
}

/** A fresh database with every migration applied, dropped by drop(). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('pgServerUrl');
  const name = `ihf_t_${randomBytes(6).toString('hex')}`;
  const admin = createSql(serverUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${inject('templateDatabase')}`);
  const url = databaseUrlFor(serverUrl, name);
  const sql = createSql(url, { max: 10 });
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface TestServerOptions {
  env?: Record<string, string>;
  now?: () => Date;
  /** Reuse a database (e.g. to run two replicas on one); by default each server gets its own. */
  database?: TestDatabase;
  /** Where the server's log lines go (at LOG_LEVEL); stdout when omitted. */
  logTo?: DestinationStream;
}

export interface TestServer {
  url: string;
  db: TestDatabase;
  sql: Sql;
  config: Config;
  adminToken: string;
  running: RunningServer;
  /** The registry the app's /metrics serves (a worker may add its series to it). */
  registry: Registry;
  /** The app's services (e.g. traffic.requestLog.flush() before reading the request log). */
  services: Services;
  /** fetch against the server, with a path. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** fetch with the operator token and a JSON body. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** fetch with a consumer credential and a JSON body. */
  as(credential: string, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  createConsumer(body?: Record<string, unknown>): Promise<{ id: string } & Record<string, unknown>>;
  issueKey(consumerId: string, scopes: Scope[], extra?: Record<string, unknown>): Promise<{ id: string; key: string; key_prefix: string }>;
  /** A new consumer with one key carrying the scopes. */
  consumerWithKey(scopes: Scope[], consumer?: Record<string, unknown>): Promise<{ consumerId: string; keyId: string; key: string }>;
  close(): Promise<void>;
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    IHF_ADMIN_TOKEN: `ihfadm_${randomBytes(32).toString('base64url')}`,
    IHF_SECRET_KEY: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    ...env,
  });
}

async function json(method: string, url: string, auth: string | undefined, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method,
    headers: {
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.database ?? (await createTestDatabase());
  const config = testConfig(db.url, options.env);
  const logger = createLogger(config.LOG_LEVEL, options.logTo);
  const { app, services, metrics } = createApp({ config, sql: db.sql, logger, now: options.now });
  const running = await listen(app, 0);
  const adminToken = config.IHF_ADMIN_TOKEN!;
  const base = running.url;

  const server: TestServer = {
    url: base,
    db,
    sql: db.sql,
    config,
    adminToken,
    running,
    registry: metrics.registry,
    services,
    request: (path, init) => fetch(base + path, init),
    admin: (method, path, body) => json(method, base + path, adminToken, body),
    as: (credential, method, path, body, headers) => json(method, base + path, credential, body, headers),
    async createConsumer(body = {}) {
      const res = await server.admin('POST', '/api/v2/admin/consumers', { name: `consumer-${randomBytes(3).toString('hex')}`, ...body });
      if (res.status !== 201) throw new Error(`createConsumer: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    },
    async issueKey(consumerId, scopes, extra = {}) {
      const res = await server.admin('POST', `/api/v2/admin/consumers/${consumerId}/keys`, { scopes, ...extra });
      if (res.status !== 201) throw new Error(`issueKey: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; key: string; key_prefix: string };
    },
    async consumerWithKey(scopes, consumer) {
      const c = await server.createConsumer(consumer);
      const k = await server.issueKey(c.id, scopes);
      return { consumerId: c.id, keyId: k.id, key: k.key };
    },
    async close() {
      await running.stop(1000);
      await services.traffic.close();
      if (!options.database) await db.drop();
    },
  };
  return server;
}

/** Reads a problem document and checks the invariants every error response must meet. */
export async function readProblem(res: Response): Promise<Record<string, unknown> & { status: number; code: string; request_id: string }> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${type}: ${await res.text()}`);
  }
  const body = (await res.json()) as Record<string, unknown> & { status: number; code: string; request_id: string };
  if (body.status !== res.status) throw new Error(`problem status ${body.status} != HTTP ${res.status}`);
  if (body.request_id !== res.headers.get('x-request-id')) throw new Error('problem request_id differs from X-Request-Id');
  for (const field of ['type', 'title', 'detail', 'code']) {
    if (typeof body[field] !== 'string') throw new Error(`problem lacks ${field}`);
  }
  return body;
}

/** Polls `cond` every 50 ms until it holds; throws, naming `what`, after `timeoutMs`. */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
