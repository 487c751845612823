import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSql, type Sql } from '../src/db/client.js';
import { migrateDown, migrateUp, migrationNames, pendingMigrations } from '../src/db/migrate.js';
import { databaseUrlFor } from './support/db-url.js';
import { createTestDatabase, type TestDatabase } from './support/harness.js';

describe('migrations', () => {
  let admin: Sql;
  let name: string;
  let url: string;
  beforeAll(async () => {
    admin = createSql(inject('pgServerUrl'), { max: 1 });
    name = `ihf_mig_${randomBytes(5).toString('hex')}`;
    await admin.unsafe(`CREATE DATABASE ${name}`);
    url = databaseUrlFor(inject('pgServerUrl'), name);
  });
  afterAll(async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('applies every migration up, all the way down, and up again', async () => {
    const all = migrationNames();
    expect(await migrateUp(url)).toEqual(all);
    const sql = createSql(url, { max: 1 });
    try {
      expect(await pendingMigrations(sql)).toEqual([]);
      expect(await migrateDown(url, all.length)).toEqual([...all].reverse());
      const left = await sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'pgmigrations'`;
      expect(left.map((r) => r.table_name)).toEqual([]);
      expect(await pendingMigrations(sql)).toEqual(all);
      expect(await migrateUp(url)).toEqual(all);
    } finally {
      await sql.end();
    }
  });

  it('0022 turns limits equal to their tier’s default into inherited ones and keeps overrides', async () => {
    const all = migrationNames();
    const from = all.indexOf('0022_tier-inherited-limits');
    expect(from).toBeGreaterThan(0);
    await migrateDown(url, all.length - from);
    const sql = createSql(url, { max: 1 });
    try {
      await sql`
        INSERT INTO api_consumers (name, tier, rate_limit_per_minute, quota_per_day, burst_threshold) VALUES
          ('defaults', 'pro', 600, 200000, NULL), ('overrides', 'pro', 42, 10000, 7)`;
      await migrateUp(url);
      const limits = () => sql`SELECT name, rate_limit_per_minute, quota_per_day, burst_threshold FROM api_consumers ORDER BY name`;
      expect(await limits()).toEqual([
        { name: 'defaults', rate_limit_per_minute: null, quota_per_day: null, burst_threshold: null },
        { name: 'overrides', rate_limit_per_minute: 42, quota_per_day: 10000, burst_threshold: 7 },
      ]);
      await migrateDown(url, all.length - from);
      expect(await limits()).toEqual([
        { name: 'defaults', rate_limit_per_minute: 600, quota_per_day: 200000, burst_threshold: null },
        { name: 'overrides', rate_limit_per_minute: 42, quota_per_day: 10000, burst_threshold: 7 },
      ]);
      await migrateUp(url);
    } finally {
      await sql.end();
    }
  });
});

describe('schema: the baseline kept', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('has the baseline’s tables, indexes and checks', async () => {
    const tables = await db.sql<{ table_name: string }[]>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`;
    const names = tables.map((t) => t.table_name);
    for (const t of ['hub_capability_manifests', 'api_consumers', 'api_keys', 'webhook_subscriptions', 'webhook_deliveries', 'api_request_log']) {
      expect(names).toContain(t);
    }
    const indexes = (await db.sql<{ indexname: string }[]>`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`).map(
      (i) => i.indexname,
    );
    for (const i of [
      'api_consumers_manifest_idx',
      'api_keys_prefix_idx',
      'api_keys_consumer_idx',
      'api_keys_hash_idx',
      'webhook_subs_consumer_idx',
      'webhook_subs_event_type_idx',
      'webhook_deliveries_sub_idx',
    ]) {
      expect(indexes).toContain(i);
    }
    const consumer = await db.sql`INSERT INTO api_consumers (name) VALUES ('x') RETURNING *`;
    await expect(
      db.sql`INSERT INTO api_keys (api_consumer_id, key_prefix, key_hash, token_type) VALUES (${consumer[0]!.id}, '0badc0de', 'h', 'bogus')`,
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.sql`INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret) VALUES (${consumer[0]!.id}, 'user.deleted', 'https://x', 's')`,
    ).rejects.toThrow(/check constraint/);
  });

  it('makes webhook_deliveries append-only: UPDATE and DELETE raise', async () => {
    const [c] = await db.sql`INSERT INTO api_consumers (name) VALUES ('d') RETURNING id`;
    const [s] = await db.sql`
      INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
      VALUES (${c!.id}, 'annotation.created', 'https://example.test/hook', 'enc') RETURNING id`;
    const [d] = await db.sql`
      INSERT INTO webhook_deliveries (webhook_subscription_id, payload, status)
      VALUES (${s!.id}, '{"a":1}', 'pending') RETURNING id`;
    await expect(db.sql`UPDATE webhook_deliveries SET status = 'delivered' WHERE id = ${d!.id}`).rejects.toThrow(
      'webhook_deliveries is append-only',
    );
    await expect(db.sql`DELETE FROM webhook_deliveries WHERE id = ${d!.id}`).rejects.toThrow('webhook_deliveries is append-only');
    const [row] = await db.sql`SELECT status FROM webhook_deliveries WHERE id = ${d!.id}`;
    expect(row!.status).toBe('pending');
  });

  it('checks interaction_events references set-wise, as foreign keys would', async () => {
    const [c] = await db.sql<{ id: string }[]>`INSERT INTO api_consumers (name) VALUES ('refs') RETURNING id`;
    const insert = (consumer: string, types: string[]) => db.sql`
      INSERT INTO interaction_events (api_consumer_id, event_type, subject_id, actor_id, occurred_at)
      SELECT ${consumer}::uuid, t, 's', 'a', now() FROM unnest(${types}::text[]) AS t`;
    await insert(c!.id, ['viewed', 'clicked', 'viewed']);
    // One bad row fails the whole statement, under the constraint name a foreign key would carry.
    const unknownType = await insert(c!.id, ['viewed', 'levitated']).catch((e: unknown) => e);
    expect(unknownType).toMatchObject({ code: '23503', constraint_name: 'interaction_events_event_type_fkey' });
    const unknownConsumer = await insert('00000000-0000-4000-8000-000000000000', ['viewed']).catch((e: unknown) => e);
    expect(unknownConsumer).toMatchObject({ code: '23503', constraint_name: 'interaction_events_api_consumer_id_fkey' });
    const rekey = await db.sql`UPDATE interaction_events SET event_type = 'levitated' WHERE api_consumer_id = ${c!.id}`.catch((e: unknown) => e);
    expect(rekey).toMatchObject({ code: '23503' });
    const [kept] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events WHERE api_consumer_id = ${c!.id}`;
    expect(kept!.n).toBe(3);
    // The referenced rows can be neither deleted nor re-keyed while referenced; unreferenced ones can.
    await expect(db.sql`DELETE FROM api_consumers WHERE id = ${c!.id}`).rejects.toMatchObject({ code: '23503' });
    await expect(db.sql`UPDATE event_type_registry SET name = 'seen' WHERE name = 'viewed'`).rejects.toMatchObject({ code: '23503' });
    await expect(db.sql`DELETE FROM event_type_registry WHERE name = 'clicked'`).rejects.toMatchObject({ code: '23503' });
    await db.sql`INSERT INTO event_type_registry (name, description) VALUES ('unused_type', 'x')`;
    await db.sql`DELETE FROM event_type_registry WHERE name = 'unused_type'`;
    const [spare] = await db.sql<{ id: string }[]>`INSERT INTO api_consumers (name) VALUES ('spare') RETURNING id`;
    await db.sql`DELETE FROM api_consumers WHERE id = ${spare!.id}`;
  });

  it('checks webhook_deliveries references set-wise, as foreign keys would', async () => {
    const [c] = await db.sql<{ id: string }[]>`INSERT INTO api_consumers (name) VALUES ('log-refs') RETURNING id`;
    const subscription = async () => {
      const [s] = await db.sql<{ id: string }[]>`
        INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
        VALUES (${c!.id}, 'annotation.created', 'https://example.test/hook', 'enc') RETURNING id`;
      return s!.id;
    };
    const sub = await subscription();
    await db.sql`
      WITH e AS (INSERT INTO webhook_events (id, event_type, body) VALUES (gen_random_uuid(), 'annotation.created', '{}') RETURNING id, created_at)
      INSERT INTO webhook_messages (id, webhook_event_id, event_created_at, webhook_subscription_id)
      SELECT 'msg_refs', e.id, e.created_at, ${sub} FROM e`;
    // A message is referenced with its partition key, its created_at (0023).
    const log = (subscriptionIds: string[], messageIds: (string | null)[]) => db.sql`
      INSERT INTO webhook_deliveries (webhook_subscription_id, webhook_message_id, attempt, payload, status, message_created_at)
      SELECT s, m, row_number() OVER (), '{}', 'delivered', coalesce((SELECT created_at FROM webhook_messages WHERE id = m), now())
      FROM unnest(${subscriptionIds}::uuid[], ${messageIds}::text[]) AS x(s, m)`;
    await log([sub, sub], ['msg_refs', null]);
    // One bad row fails the whole statement, under the constraint name a foreign key would carry.
    const unknownSubscription = await log([sub, '00000000-0000-4000-8000-000000000000'], [null, null]).catch((err: unknown) => err);
    expect(unknownSubscription).toMatchObject({ code: '23503', constraint_name: 'webhook_deliveries_webhook_subscription_id_fkey' });
    const unknownMessage = await log([sub], ['msg_nowhere']).catch((err: unknown) => err);
    expect(unknownMessage).toMatchObject({ code: '23503', constraint_name: 'webhook_deliveries_webhook_message_id_fkey' });
    const [kept] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_deliveries WHERE webhook_subscription_id = ${sub}`;
    expect(kept!.n).toBe(2);
    // The referenced rows can be neither deleted nor re-keyed while referenced; unreferenced ones can.
    await expect(db.sql`DELETE FROM webhook_subscriptions WHERE id = ${sub}`).rejects.toMatchObject({ code: '23503' });
    await expect(db.sql`UPDATE webhook_messages SET id = 'msg_other' WHERE id = 'msg_refs'`).rejects.toMatchObject({ code: '23503' });
    await db.sql`UPDATE webhook_messages SET state = 'delivered' WHERE id = 'msg_refs'`;
    const unused = await subscription();
    await db.sql`DELETE FROM webhook_subscriptions WHERE id = ${unused}`;
  });
});
