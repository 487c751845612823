// The webhook SQL (webhooks/sql): the hot statements and the message bookkeeping, against a real
// database, for job sequences too rare to produce reliably through a worker: stale
// duplicate jobs, duplicate logs, a claim given up by a cancel. No worker runs here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelMessage, claimAttempts, logFailure, logSuccesses, releaseClaims, reopenMessage, reopenUndelivered } from '../src/webhooks/sql/index.js';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let key: string;
let subscriptionId: string;
beforeAll(async () => {
  t = await startTestServer();
  key = (await t.consumerWithKey(['annotations:read', 'webhooks:manage'])).key;
  const sub = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/x' });
  subscriptionId = ((await sub.json()) as { id: string }).id;
});
afterAll(() => t.close());

const LEASE_SECONDS = 35;

/** A queued test message (its job is never run: no worker here). */
async function message(): Promise<string> {
  const res = await t.as(key, 'POST', `/api/v2/webhook-subscriptions/${subscriptionId}/test`);
  return ((await res.json()) as { message_id: string }).message_id;
}

const stateOf = async (id: string) =>
  (await t.sql<{ state: string; attempts: number; logged_attempts: number }[]>`
    SELECT state, attempts, logged_attempts FROM webhook_messages WHERE id = ${id}`)[0]!;

/** Moves a message's claim back past its lease, as if its worker had died that long ago. */
const outliveLease = (id: string) =>
  t.sql`UPDATE webhook_messages SET last_attempt_at = now() - make_interval(secs => ${LEASE_SECONDS + 1}) WHERE id = ${id}`;

const success = (messageId: string, attempt: number) => ({ messageId, subscriptionId, attempt, responseCode: 200, responseBody: 'ok', latencyMs: 1 });

describe('webhook message SQL', () => {
  it('claims the current attempt even when a stale job of an earlier one is in the same batch', async () => {
    const id = await message();
    const [first] = await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS);
    expect(first!.claimed).toBe(true);
    await t.sql`UPDATE webhook_messages SET logged_attempts = 1 WHERE id = ${id}`; // attempt 1 failed and was logged
    // A stale copy of attempt 1 and the retry (attempt 2) reach one claim statement, the stale one first.
    const [stale, retry] = await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }, { messageId: id, attempt: 2 }], LEASE_SECONDS);
    expect(stale!.claimed).toBe(false);
    expect(retry!.claimed).toBe(true);
    expect(await stateOf(id)).toMatchObject({ attempts: 2 });
  });

  it('lets only one of two jobs of the same attempt in one batch send', async () => {
    const id = await message();
    const rows = await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }, { messageId: id, attempt: 1 }], LEASE_SECONDS);
    expect(rows.map((r) => r!.claimed)).toEqual([true, false]);
  });

  it('logs a batch of successes in which one attempt was already logged', async () => {
    const [a, b] = [await message(), await message()];
    await claimAttempts(t.sql, [{ messageId: a, attempt: 1 }, { messageId: b, attempt: 1 }], LEASE_SECONDS);
    await logSuccesses(t.sql, [success(a, 1)]);
    // A duplicate job sent attempt 1 of `a` again; its batch must still log `b`.
    await logSuccesses(t.sql, [success(a, 1), success(b, 1)]);
    for (const id of [a, b]) expect(await stateOf(id)).toEqual({ state: 'delivered', attempts: 1, logged_attempts: 1 });
    const [logged] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_message_id IN (${a}, ${b})`;
    expect(logged!.n).toBe(2);
  });

  it('recovers a cancelled message once its unsent claim has outlived its lease, not before', async () => {
    const id = await message();
    const since = (await t.sql<{ at: string }[]>`SELECT created_at::text AS at FROM webhook_messages WHERE id = ${id}`)[0]!.at;
    await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS); // claimed; maybe on the wire
    await cancelMessage(t.sql, id); // a duplicate job found the subscription unable to receive
    expect(await stateOf(id)).toEqual({ state: 'cancelled', attempts: 1, logged_attempts: 0 });
    // Within the lease the claimed attempt may still be sent and logged: not reopened beside it.
    expect(await t.sql.begin((tx) => reopenUndelivered(tx, subscriptionId, since, LEASE_SECONDS))).not.toContainEqual(
      expect.objectContaining({ messageId: id }),
    );
    await outliveLease(id);
    const reopened = await t.sql.begin((tx) => reopenUndelivered(tx, subscriptionId, since, LEASE_SECONDS));
    expect(reopened).toContainEqual({ messageId: id, attempt: 2 });
  });

  it('redelivers a message whose claimed attempt was never logged once the lease has run out', async () => {
    const id = await message();
    await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS); // its worker dies before logging
    expect(await t.sql.begin((tx) => reopenMessage(tx, id, LEASE_SECONDS))).toBeUndefined();
    await outliveLease(id);
    expect(await t.sql.begin((tx) => reopenMessage(tx, id, LEASE_SECONDS))).toBe(2);
    expect(await stateOf(id)).toEqual({ state: 'pending', attempts: 1, logged_attempts: 0 });
  });

  it('logs a failed attempt once when two jobs sent it, and only the first does the bookkeeping', async () => {
    const id = await message();
    const failed = {
      messageId: id,
      subscriptionId,
      attempt: 1,
      eventType: 'annotation.created',
      body: '{}',
      responseCode: 500,
      responseBody: null,
      latencyMs: 1,
      error: 'HTTP 500',
    };
    expect(await logFailure(t.sql, failed, new Date())).toBe(true);
    expect(await logFailure(t.sql, failed, null)).toBe(false);
    expect(await stateOf(id)).toMatchObject({ state: 'pending', logged_attempts: 1 });
    const [logged] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_message_id = ${id}`;
    expect(logged!.n).toBe(1);
  });

  it('gives up a claim never sent, so the next job of the attempt claims it at once rather than after the lease', async () => {
    const id = await message();
    const [first] = await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS);
    expect(first!.claimed).toBe(true);
    await releaseClaims(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS); // a stopping worker hands it back
    expect(await stateOf(id)).toMatchObject({ attempts: 0, logged_attempts: 0 });
    const [again] = await claimAttempts(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS);
    expect(again!.claimed).toBe(true);
    // Past its lease another worker may have taken the claim over and be sending: kept.
    await outliveLease(id);
    await releaseClaims(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS);
    expect(await stateOf(id)).toMatchObject({ attempts: 1, logged_attempts: 0 });
    // A release never undoes what was logged meanwhile.
    await t.sql`UPDATE webhook_messages SET last_attempt_at = now(), logged_attempts = 1 WHERE id = ${id}`;
    await releaseClaims(t.sql, [{ messageId: id, attempt: 1 }], LEASE_SECONDS);
    expect(await stateOf(id)).toMatchObject({ attempts: 1, logged_attempts: 1 });
  });

  it('reopens after the furthest attempt when another job logged past a cancelled claim', async () => {
    const id = await message();
    // A cancel gave up the claim of attempt 2 while another job's attempt 2 was on the wire and then logged.
    await t.sql`UPDATE webhook_messages SET state = 'failed', attempts = 1, logged_attempts = 2 WHERE id = ${id}`;
    const next = await t.sql.begin((tx) => reopenMessage(tx, id, LEASE_SECONDS));
    expect(next).toBe(3);
    expect(await stateOf(id)).toEqual({ state: 'pending', attempts: 2, logged_attempts: 2 });
  });
});
