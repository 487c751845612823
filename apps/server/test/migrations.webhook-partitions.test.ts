// Migration 0023 (the webhook tables partitioned by day) goes down and up again with rows
// in the tables: every row is kept each way, and messages from before it (ids that carry
// no time) are still found by the hot path after it.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createSql, type Sql } from '../src/db/client.js';
import { migrateDown, migrateUp } from '../src/db/migrate.js';
import { claimAttempts, fanOut, logSuccesses } from '../src/webhooks/sql/index.js';
import { databaseUrlFor } from './support/db-url.js';

const TABLES = ['webhook_events', 'webhook_messages', 'webhook_deliveries'] as const;

let admin: Sql;
let name: string;
let url: string;
beforeAll(async () => {
  admin = createSql(inject('pgServerUrl'), { max: 1 });
  name = `ihf_mig23_${randomBytes(5).toString('hex')}`;
  await admin.unsafe(`CREATE DATABASE ${name}`);
  url = databaseUrlFor(inject('pgServerUrl'), name);
});
afterAll(async () => {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** Each table's kind (`p` partitioned, `r` plain) and its rows, in a comparable form. */
async function snapshot(sql: Sql) {
  const kinds = await sql<{ relname: string; relkind: string }[]>`
    SELECT relname, relkind::text FROM pg_class WHERE relname IN ${sql(TABLES)} AND relnamespace = 'public'::regnamespace ORDER BY 1`;
  const events = await sql`SELECT id, event_type, body, created_at::text FROM webhook_events ORDER BY id`;
  const messages = await sql`SELECT id, webhook_event_id, state, attempts, logged_attempts, created_at::text FROM webhook_messages ORDER BY id`;
  const deliveries = await sql`SELECT id, webhook_message_id, attempt, status, attempted_at::text FROM webhook_deliveries ORDER BY id`;
  return { kinds: Object.fromEntries(kinds.map((k) => [k.relname, k.relkind])), events, messages, deliveries };
}

/** The migrations after 0023, undone and redone with it. */
const LATER = ['0024_webhook-lookups-by-index', '0025_webhook-default-partitions-expire'];

describe('migration 0023', () => {
  it('goes down and up again with rows in the webhook tables, and keeps them all', async () => {
    await migrateUp(url);
    const sql = createSql(url, { max: 1 });
    try {
      const [c] = await sql<{ id: string }[]>`INSERT INTO api_consumers (name) VALUES ('mig') RETURNING id`;
      const [s] = await sql<{ id: string }[]>`
        INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
        VALUES (${c!.id}, 'annotation.created', 'https://example.test/hook', 'enc') RETURNING id`;
      // Messages the fan-out mints (ids with their time), one delivered and logged.
      expect(await sql.begin((tx) => fanOut(tx, 'annotation.created', [{ recordId: null, body: '{"n":1}' }, { recordId: null, body: '{"n":2}' }]))).toBe(2);
      const [first] = await sql<{ id: string }[]>`SELECT id FROM webhook_messages ORDER BY id LIMIT 1`;
      const [claim] = await claimAttempts(sql, [{ messageId: first!.id, attempt: 1 }], 35);
      expect(claim).toMatchObject({ claimed: true, message_id: first!.id });
      await logSuccesses(sql, [{ messageId: first!.id, subscriptionId: s!.id, attempt: 1, responseCode: 200, responseBody: null, latencyMs: 3 }]);

      const partitioned = await snapshot(sql);
      expect(partitioned.kinds).toEqual({ webhook_deliveries: 'p', webhook_events: 'p', webhook_messages: 'p' });
      expect([partitioned.events.length, partitioned.messages.length, partitioned.deliveries.length]).toEqual([2, 2, 1]);

      expect(await migrateDown(url, LATER.length + 1)).toEqual([...LATER].reverse().concat('0023_webhook-tables-partitioned'));
      const plain = await snapshot(sql);
      expect(plain).toEqual({ ...partitioned, kinds: { webhook_deliveries: 'r', webhook_events: 'r', webhook_messages: 'r' } });

      // Rows written before 0023: a message id without a time, and a logged attempt of it.
      // As the earlier version minted them: a UUIDv4's hex (random hex would look like a UUIDv7 one time in 16).
      const legacy = `msg_${randomUUID().replaceAll('-', '')}`;
      await sql`
        WITH e AS (INSERT INTO webhook_events (event_type, body) VALUES ('annotation.created', '{"n":3}') RETURNING id)
        INSERT INTO webhook_messages (id, webhook_event_id, webhook_subscription_id, state, attempts, logged_attempts)
        SELECT ${legacy}, e.id, ${s!.id}, 'pending', 1, 1 FROM e`;
      await sql`
        INSERT INTO webhook_deliveries (webhook_subscription_id, payload, status, webhook_message_id, attempt)
        VALUES (${s!.id}, '{"n":3}', 'failed', ${legacy}, 1)`;
      const before = await snapshot(sql);

      expect(await migrateUp(url)).toEqual(['0023_webhook-tables-partitioned', ...LATER]);
      const again = await snapshot(sql);
      expect(again).toEqual({ ...before, kinds: partitioned.kinds });
      // The previous version's fan-out (a rolling upgrade) still inserts: no event_created_at, no time in the id.
      await sql`
        WITH e AS (INSERT INTO webhook_events (id, event_type, body) VALUES (gen_random_uuid(), 'annotation.created', '{"n":4}') RETURNING id)
        INSERT INTO webhook_messages (id, webhook_event_id, webhook_subscription_id, next_attempt_at)
        SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, ${s!.id}, now() FROM e`;
      const [joined] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM webhook_messages m JOIN webhook_events e ON e.id = m.webhook_event_id AND e.created_at = m.event_created_at
        WHERE e.body = '{"n":4}'`;
      expect(joined!.n).toBe(1);
      // A message's event is checked as the foreign key did, under its name; a referenced event stays.
      const orphan = await sql`
        INSERT INTO webhook_messages (id, webhook_event_id, event_created_at, webhook_subscription_id)
        VALUES ('msg_orphan', gen_random_uuid(), now(), ${s!.id})`.catch((err: unknown) => err);
      expect(orphan).toMatchObject({ code: '23503', constraint_name: 'webhook_messages_webhook_event_id_fkey' });
      await expect(sql`DELETE FROM webhook_events WHERE body = '{"n":4}'`).rejects.toMatchObject({ code: '23503' });
      // The hot path still finds the older message (in every partition), claims and logs it.
      const [retry] = await claimAttempts(sql, [{ messageId: legacy, attempt: 2 }], 35);
      expect(retry).toMatchObject({ claimed: true, message_id: legacy, body: '{"n":3}' });
      await logSuccesses(sql, [{ messageId: legacy, subscriptionId: s!.id, attempt: 2, responseCode: 200, responseBody: null, latencyMs: 3 }]);
      const [delivered] = await sql<{ state: string; logged: number }[]>`
        SELECT m.state, (SELECT count(*)::int FROM webhook_deliveries d WHERE d.webhook_message_id = m.id) AS logged
        FROM webhook_messages m WHERE m.id = ${legacy}`;
      expect(delivered).toEqual({ state: 'delivered', logged: 2 });
    } finally {
      await sql.end();
    }
  });
});
