// A client that leaves mid-request (its body half sent, or before the answer) is recorded
// as 499 in the request log and on the access log line, not as the 400 or 200 the server
// would have answered: the real entry point, its stdout and its request log table.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/harness.js';
import { spawnServer, type ServerProcess } from './support/process.js';

const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;
let db: TestDatabase;
let server: ServerProcess;
let url: URL;

beforeAll(async () => {
  db = await createTestDatabase();
  server = spawnServer({ DATABASE_URL: db.url, IHF_ADMIN_TOKEN: adminToken, IHF_SECRET_KEY: randomBytes(32).toString('base64'), IHF_ROLE: 'api' });
  url = new URL(((await server.waitForLog('IHF External API listening')) as { url: string }).url);
});
afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.exited;
  }
  await db?.drop();
});

async function adminPost(path: string, body: unknown) {
  const res = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { id: string; key: string };
}

/** Sends `head` (and part of a body), then closes the connection before any answer. */
async function leaveEarly(head: string, afterMs: number): Promise<void> {
  const socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => {});
  await new Promise((r) => socket.once('connect', r));
  socket.write(head);
  await sleep(afterMs);
  socket.destroy();
}

describe('a client that disconnects mid-request', () => {
  it('is logged as 499 in the request log and the access log', async () => {
    const consumer = await adminPost('/api/v2/admin/consumers', { name: 'leaver' });
    const { key } = await adminPost(`/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['interaction-events:write', 'interaction-events:read'] });

    // The body half sent.
    await leaveEarly(
      `POST /api/v2/interaction-events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${key}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"event_type":`,
      300,
    );
    // Gone while the server works on the answer (a table lock holds it back).
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await new Promise<void>((locked) => {
      void db.sql.begin(async (tx) => {
        await tx`LOCK TABLE interaction_events IN ACCESS EXCLUSIVE MODE`;
        locked();
        await released;
      });
    });
    await leaveEarly(`GET /api/v2/interaction-events HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${key}\r\n\r\n`, 500);
    release();
    await sleep(500);

    server.child.kill('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    const rows = await db.sql<{ method: string; status_code: number }[]>`
      SELECT method, status_code FROM api_request_log WHERE endpoint = '/api/v2/interaction-events' ORDER BY requested_at`;
    const access = server
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; req?: { method: string; url: string }; res?: { statusCode: number } })
      .filter((l) => l.req?.url?.startsWith('/api/v2/interaction-events') && l.res);
    expect(rows.map((r) => [r.method, r.status_code])).toEqual([
      ['POST', 499],
      ['GET', 499],
    ]);
    expect(access.map((l) => [l.req!.method, l.res!.statusCode])).toEqual([
      ['POST', 499],
      ['GET', 499],
    ]);
  });
});
