// Retention of the webhook tables (migration 0023), on real PostgreSQL with an injected
// clock: day partitions past the retention are dropped whole and nothing younger is
// touched; a day with an attempt still queued is kept; the delivery log stays append-only
// in partitions created later; rows that fell into the default partitions expire too;
// expired OAuth tokens and portal credentials are pruned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireDefaultPartitions, keepDays, maintainWebhookTables, pruneExpiredCredentials, retryHorizonSeconds } from '../src/housekeeping/index.js';
import { createTestDatabase, type TestDatabase } from './support/harness.js';

const DAY = 86_400_000;
/** The injected clock: 100 days from the real today, noon UTC, so every day used here is the test's own. */
const NOW = new Date(Math.floor(Date.now() / DAY) * DAY + 100 * DAY + 12 * 3_600_000);
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const ymd = (d: Date) => d.toISOString().slice(0, 10).replaceAll('-', '');

let db: TestDatabase;
let subscriptionId: string;
beforeAll(async () => {
  db = await createTestDatabase();
  const [c] = await db.sql<{ id: string }[]>`INSERT INTO api_consumers (name) VALUES ('retention') RETURNING id`;
  const [s] = await db.sql<{ id: string }[]>`
    INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
    VALUES (${c!.id}, 'annotation.created', 'https://example.test/hook', 'enc') RETURNING id`;
  subscriptionId = s!.id;
  // The days the migration created (the real today's) are long past on the injected clock.
  await maintainWebhookTables(db.sql, { keep: 30, now: NOW });
});
afterAll(() => db.drop());

/**
 * An event, its message (id minted `at`, as the fan-out does, or a pre-0023 random one)
 * and one logged attempt; answers the message id.
 */
async function messageAt(at: Date, opts: { state?: string; legacyId?: boolean; partitioned?: boolean } = {}): Promise<string> {
  // Its day's partitions, as housekeeping would have created them ahead of that day (else the _default ones).
  const day = at.toISOString().slice(0, 10);
  if (opts.partitioned ?? true) await db.sql`SELECT ihf_webhook_create_partitions(${day}::date, ${day}::date)`;
  const [m] = await db.sql<{ id: string }[]>`
    WITH ev AS (
      INSERT INTO webhook_events (id, event_type, body, created_at) VALUES (gen_random_uuid(), 'annotation.created', '{}', ${at})
      RETURNING id, created_at
    ), msg AS (
      INSERT INTO webhook_messages (id, created_at, webhook_event_id, event_created_at, webhook_subscription_id, state, attempts, logged_attempts)
      SELECT n.id, coalesce(ihf_message_created_at(n.id), ev.created_at), ev.id, ev.created_at, ${subscriptionId}, ${opts.state ?? 'delivered'}, 1, 1
      FROM ev, (SELECT CASE WHEN ${opts.legacyId ?? false} THEN 'msg_' || replace(gen_random_uuid()::text, '-', '')
                            ELSE ihf_new_message_id('msg_', ${at}) END AS id) n
      RETURNING id, created_at
    )
    INSERT INTO webhook_deliveries (webhook_subscription_id, payload, status, webhook_message_id, attempt, attempted_at, message_created_at)
    SELECT ${subscriptionId}, '{}', 'failed', msg.id, 1, msg.created_at, msg.created_at FROM msg
    RETURNING webhook_message_id AS id`;
  return m!.id;
}

/** Rows per partition of the three tables, e.g. `webhook_messages_20270101: 2`. */
async function rowsPerPartition(): Promise<Record<string, number>> {
  const rows = await db.sql<{ part: string; n: number }[]>`
    SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM webhook_events GROUP BY 1
    UNION ALL SELECT tableoid::regclass::text, count(*)::int FROM webhook_messages GROUP BY 1
    UNION ALL SELECT tableoid::regclass::text, count(*)::int FROM webhook_deliveries GROUP BY 1`;
  return Object.fromEntries(rows.map((r) => [r.part, r.n]));
}
const exists = async (table: string) => {
  const [row] = await db.sql<{ oid: string | null }[]>`SELECT to_regclass(${table})::text AS oid`;
  return row!.oid !== null;
};
const tablesOf = (d: Date) => ['webhook_events', 'webhook_messages', 'webhook_deliveries'].map((t) => `${t}_${ymd(d)}`);

describe('webhook tables retention', () => {
  it('keeps them the retention, or the retry horizon when longer', () => {
    const schedule = [0, 5, 300, 1800, 7200, 18000, 36000, 36000];
    // Seven retries of at least the cap (the longest delay, 10 h; 11 h with jitter), a lease each.
    expect(retryHorizonSeconds(schedule, 35)).toBe(5 * 36000 + 2 * 39600 + 8 * 35);
    expect(keepDays(30, schedule, 35)).toBe(30);
    expect(keepDays(1, schedule, 35)).toBe(4);
    expect(keepDays(1, [0, 5], 35)).toBe(1);
  });

  it('drops whole days past the retention and touches nothing younger', async () => {
    for (const n of [45, 31, 30, 29, 1, 0]) {
      await messageAt(daysAgo(n));
      await messageAt(daysAgo(n));
    }
    const before = await rowsPerPartition();
    for (const n of [45, 31, 30, 29, 1, 0]) for (const t of tablesOf(daysAgo(n))) expect(before[t]).toBe(2);

    // Kept 30 days: a day goes once it ended 30 days ago, so 45 and 31 days ago go; 30 days ago ended 29 days ago.
    expect(await maintainWebhookTables(db.sql, { keep: 30, now: NOW })).toBe(2);

    const after = await rowsPerPartition();
    for (const n of [45, 31]) {
      for (const t of tablesOf(daysAgo(n))) {
        expect(after[t]).toBeUndefined();
        expect(await exists(t)).toBe(false);
      }
    }
    for (const n of [30, 29, 1, 0]) for (const t of tablesOf(daysAgo(n))) expect(after[t]).toBe(2);
    // The coming days are created ahead.
    for (const n of [1, 2, 3]) for (const t of tablesOf(daysAgo(-n))) expect(await exists(t)).toBe(true);
    // Nothing left to do: a second round drops nothing.
    expect(await maintainWebhookTables(db.sql, { keep: 30, now: NOW })).toBe(0);
    expect(await rowsPerPartition()).toEqual(after);
  });

  it('keeps a day while a queued attempt still carries one of its messages, then drops it', async () => {
    const day = daysAgo(40);
    const retried = await messageAt(day, { state: 'pending' });
    const legacy = await messageAt(day, { state: 'pending', legacyId: true });
    // A keyed retry of one message, and a batch job naming a pre-0023 id (found by lookup).
    await db.sql`SELECT graphile_worker.add_job('webhook.deliver', json_build_object('m', ${retried}::text, 'a', 2), job_key => ${retried}::text)`;
    const [batch] = await db.sql<{ id: string }[]>`
      SELECT (graphile_worker.add_job('webhook.deliver-batch', json_build_array(json_build_object('m', ${legacy}::text, 'a', 2)))).id::text AS id`;

    expect(await maintainWebhookTables(db.sql, { keep: 30, now: NOW })).toBe(0);
    for (const t of tablesOf(day)) expect((await rowsPerPartition())[t]).toBe(2);

    await db.sql`SELECT graphile_worker.remove_job(${retried})`;
    expect(await maintainWebhookTables(db.sql, { keep: 30, now: NOW })).toBe(0); // the batch job still names the other
    await db.sql`SELECT graphile_worker.permanently_fail_jobs(ARRAY[${batch!.id}::bigint], 'test: gave up')`;
    // A job graphile-worker gave up on runs no more: it holds nothing back.
    expect(await maintainWebhookTables(db.sql, { keep: 30, now: NOW })).toBe(1);
    for (const t of tablesOf(day)) expect(await exists(t)).toBe(false);
  });

  it('keeps webhook_deliveries append-only in a partition created later', async () => {
    const later = new Date(NOW.getTime() + 20 * DAY);
    const dayTables = tablesOf(later);
    for (const t of dayTables) expect(await exists(t)).toBe(false);
    await maintainWebhookTables(db.sql, { keep: 30, now: later });
    for (const t of dayTables) expect(await exists(t)).toBe(true);

    const id = await messageAt(later);
    const [row] = await db.sql<{ part: string }[]>`SELECT tableoid::regclass::text AS part FROM webhook_deliveries WHERE webhook_message_id = ${id}`;
    expect(row!.part).toBe(`webhook_deliveries_${ymd(later)}`);
    await expect(db.sql`UPDATE webhook_deliveries SET status = 'delivered' WHERE webhook_message_id = ${id}`).rejects.toThrow(
      'webhook_deliveries is append-only',
    );
    await expect(db.sql`DELETE FROM webhook_deliveries WHERE webhook_message_id = ${id}`).rejects.toThrow('webhook_deliveries is append-only');
    // Addressed to the partition itself, too.
    await expect(db.sql.unsafe(`DELETE FROM webhook_deliveries_${ymd(later)} WHERE webhook_message_id = '${id}'`)).rejects.toThrow(
      'webhook_deliveries is append-only',
    );
    const [kept] = await db.sql<{ status: string }[]>`SELECT status FROM webhook_deliveries WHERE webhook_message_id = ${id}`;
    expect(kept!.status).toBe('failed');
  });

  it('deletes rows of the default partitions past the retention, unless still queued, and nothing younger', async () => {
    const defaults = ['webhook_events_default', 'webhook_messages_default', 'webhook_deliveries_default'];
    const inDefaults = async () => {
      const rows = await rowsPerPartition();
      return defaults.map((t) => rows[t] ?? 0);
    };
    const base = await inDefaults();
    // Days without partitions: 60 and 50 days ago are past the 30 days kept, 10 days ago is not.
    const old = await messageAt(daysAgo(60), { state: 'pending', partitioned: false });
    await messageAt(daysAgo(50), { partitioned: false });
    const young = await messageAt(daysAgo(10), { partitioned: false });
    expect(await inDefaults()).toEqual(base.map((n) => n + 3));

    // A retry still queued holds every expired default row back.
    await db.sql`SELECT graphile_worker.add_job('webhook.deliver', json_build_object('m', ${old}::text, 'a', 2), job_key => ${old}::text)`;
    expect(await expireDefaultPartitions(db.sql, { keep: 30, now: NOW })).toBe(0);
    expect(await inDefaults()).toEqual(base.map((n) => n + 3));

    await db.sql`SELECT graphile_worker.remove_job(${old})`;
    // Two days' event, message and logged attempt.
    expect(await expireDefaultPartitions(db.sql, { keep: 30, now: NOW })).toBe(6);
    expect(await inDefaults()).toEqual(base.map((n) => n + 1));
    const [left] = await db.sql<{ id: string }[]>`SELECT webhook_message_id AS id FROM webhook_deliveries_default`;
    expect(left!.id).toBe(young);
    expect(await expireDefaultPartitions(db.sql, { keep: 30, now: NOW })).toBe(0);
    // Reattached with its append-only triggers.
    await expect(db.sql`DELETE FROM webhook_deliveries WHERE webhook_message_id = ${young}`).rejects.toThrow('webhook_deliveries is append-only');
    await expect(db.sql`DELETE FROM webhook_deliveries_default WHERE webhook_message_id = ${young}`).rejects.toThrow('webhook_deliveries is append-only');
  });

  it('skips its round while another replica maintains the tables', async () => {
    await db.sql.begin(async (other) => {
      await other`SELECT pg_advisory_xact_lock(hashtextextended('ihf-housekeeping:webhook-retention', 0))`;
      expect(await maintainWebhookTables(db.sql, { keep: 30, now: NOW })).toBe('skipped');
    });
  });
});

describe('expired credentials', () => {
  it('deletes OAuth tokens and portal credentials expired over a day, and nothing else', async () => {
    const [c] = await db.sql<{ id: string }[]>`INSERT INTO api_consumers (name) VALUES ('creds') RETURNING id`;
    const names = new Map<string, string>();
    const key = async (name: string, type: string, expiresAt: Date | null, parent: string | null = null) => {
      const [k] = await db.sql<{ id: string; key_prefix: string }[]>`
        INSERT INTO api_keys (api_consumer_id, key_prefix, key_hash, token_type, expires_at, parent_key_id)
        VALUES (${c!.id}, substr(md5(random()::text), 1, 8), ${'h-' + name}, ${type}, ${expiresAt}, ${parent}) RETURNING id, key_prefix`;
      names.set(k!.key_prefix, name);
      return k!.id;
    };
    const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
    const client = await key('client', 'static', null);
    await key('static-expired', 'static', hoursAgo(72));
    await key('oauth-old', 'oauth', hoursAgo(25), client);
    await key('oauth-recent', 'oauth', hoursAgo(23), client);
    await key('oauth-live', 'oauth', hoursAgo(-1), client);
    await key('portal-old', 'portal', hoursAgo(48));
    await key('portal-recent', 'portal', hoursAgo(1));

    expect(await pruneExpiredCredentials(db.sql, NOW)).toBe(2);
    const left = await db.sql<{ key_prefix: string }[]>`SELECT key_prefix FROM api_keys WHERE api_consumer_id = ${c!.id}`;
    expect(left.map((r) => names.get(r.key_prefix)).sort()).toEqual(['client', 'oauth-live', 'oauth-recent', 'portal-recent', 'static-expired']);
    expect(await pruneExpiredCredentials(db.sql, NOW)).toBe(0);
  });
});
