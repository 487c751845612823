// Housekeeping chores run by every replica in turn: the idempotency purge deletes expired
// Idempotency-Key rows only, and skips its round while another replica holds its lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeIdempotencyKeys } from '../src/housekeeping/index.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

async function keyRow(key: string, expiresIn: string) {
  await t.sql`
    INSERT INTO idempotency_keys (owner, idempotency_key, request_hash, state, locked_until, expires_at)
    VALUES ('operator', ${key}, 'h', 'completed', now(), now() + ${expiresIn}::interval)`;
}
const keys = async () =>
  (await t.sql<{ idempotency_key: string }[]>`SELECT idempotency_key FROM idempotency_keys ORDER BY 1`).map((r) => r.idempotency_key);

describe('idempotency purge', () => {
  it('deletes expired keys and keeps live ones', async () => {
    await keyRow('expired-1', '-1 second');
    await keyRow('expired-2', '-1 day');
    await keyRow('live', '1 hour');
    expect(await purgeIdempotencyKeys(t.sql)).toBe(2);
    expect(await keys()).toEqual(['live']);
  });

  it('skips its round, deleting nothing, while another replica holds the purge lock', async () => {
    await keyRow('expired-3', '-1 second');
    await t.sql.begin(async (other) => {
      await other`SELECT pg_advisory_xact_lock(hashtextextended('ihf-housekeeping:idempotency-purge', 0))`;
      expect(await purgeIdempotencyKeys(t.sql)).toBe('skipped');
    });
    expect(await keys()).toEqual(['expired-3', 'live']);
    expect(await purgeIdempotencyKeys(t.sql)).toBe(1); // the lock is free again once that transaction ends
  });
});
