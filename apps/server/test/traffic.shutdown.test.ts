// The real server process (src/main.ts) under load, stopped with SIGTERM: every request it
// answered is in the request log afterwards, with the status the client saw.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/db/embedded.js';
import { createTestDatabase, type TestDatabase } from './support/harness.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('SIGTERM under load', () => {
  it('flushes the request log before exiting: every answered request is logged', async () => {
    const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // `node --import tsx`, one process. (The tsx CLI relays SIGTERM to a child process and
    // SIGKILLs it when a busy event loop has not acknowledged within 30 ms.)
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        DATABASE_URL: db.url,
        IHF_ADMIN_TOKEN: adminToken,
        IHF_SECRET_KEY: randomBytes(32).toString('base64'),
        BURST_THRESHOLD: '100000',
        IHF_ROLE: 'api',
        // Busy keep-alive connections are cut after this; their requests are logged as 499.
        SHUTDOWN_TIMEOUT_MS: '2000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let up = false; !up; ) {
      up = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
      if (!up) await new Promise((r) => setTimeout(r, 100));
      if (child.exitCode !== null) throw new Error(`server exited at start:\n${output}`);
    }

    const post = async (path: string, body: unknown) => {
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { id: string; key: string };
    };
    const consumer = await post('/api/v2/admin/consumers', { name: 'sigterm', rate_limit_per_minute: 1_000_000 });
    const { key } = await post(`/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['usage:read'] });

    const answered: { id: string; status: number }[] = [];
    let attempts = 0;
    let stop = false;
    const paths = ['/api/v2/me', '/api/v2/usage', '/api/v2/no-such-route', '/api/v2/admin/consumers'];
    const clients = Array.from({ length: 30 }, async (_, c) => {
      for (let i = 0; !stop; i++) {
        attempts++;
        try {
          const res = await fetch(url + paths[(c + i) % paths.length]!, { headers: { authorization: `Bearer ${key}` } });
          await res.arrayBuffer();
          answered.push({ id: res.headers.get('x-request-id')!, status: res.status });
        } catch {
          return; // refused or reset: the server is going away
        }
      }
    });
    while (answered.length < 800) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGTERM');
    const code = await exited;
    stop = true;
    await Promise.all(clients);
    expect(code, output).toBe(0);

    const rows = await db.sql<{ request_id: string; status_code: number }[]>`SELECT request_id, status_code FROM api_request_log`;
    const logged = new Map(rows.map((r) => [r.request_id, r.status_code]));
    expect(answered.length).toBeGreaterThanOrEqual(800);
    expect(answered.filter((a) => logged.get(a.id) !== a.status)).toEqual([]);
    expect(new Set(answered.map((a) => a.status))).toEqual(new Set([200, 403, 404]));
    // Nothing invented: at most the requests tried, plus the two set-up calls.
    expect(logged.size).toBeLessThanOrEqual(attempts + 2);
  }, 60_000);
});
