// The creation-time span of a batch of message ids (sql/message-lookup.ts), on real
// PostgreSQL: it holds every time the database reads from the ids (0023's
// ihf_message_created_at), is unbounded when an id carries no time, and lets the planner
// keep only the span's day partitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createdSpan, withinSpan, type CreatedSpan } from '../src/webhooks/sql/message-lookup.js';
import { createTestDatabase, type TestDatabase } from './support/harness.js';

const DAY = 86_400_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

/** Message ids minted as the fan-out mints them, at each of `times`; with the time the database reads from each. */
async function mint(times: Date[]) {
  return db.sql<{ id: string; read: Date }[]>`
    SELECT id, ihf_message_created_at(id) AS read
    FROM (SELECT ihf_new_message_id('msg_', t) AS id FROM unnest(${times.map((t) => t.toISOString())}::timestamptz[]) AS t) minted`;
}

describe('createdSpan', () => {
  it('holds the time PostgreSQL reads from each id, for single ids and for a batch', async () => {
    const base = Date.UTC(2026, 11, 6, 23, 59, 59, 999);
    const times = [0, 1, 7, 333, 86_399_999, 86_400_000, 3 * DAY + 0.5].map((d) => new Date(base + d));
    const minted = await mint(times);
    for (const { id, read } of minted) {
      const span = createdSpan([id])!;
      expect(span.from.getTime()).toBeLessThanOrEqual(read.getTime());
      expect(span.until.getTime()).toBeGreaterThanOrEqual(read.getTime());
      // Tight: the span is the id's own millisecond, give or take one.
      expect(span.until.getTime() - span.from.getTime()).toBeLessThanOrEqual(2);
    }
    const span = createdSpan(minted.map((m) => m.id))!;
    const reads = minted.map((m) => m.read.getTime());
    expect(span.from.getTime()).toBe(Math.min(...reads) - 1);
    expect(span.until.getTime()).toBe(Math.max(...reads) + 1);
  });

  it('is unbounded when any id carries no time (ids from before 0023), or when there are none', async () => {
    const [minted] = await mint([new Date()]);
    const legacy = `msg_${crypto.randomUUID().replaceAll('-', '')}`; // a UUIDv4: no time
    const [read] = await db.sql<{ t: Date | null }[]>`SELECT ihf_message_created_at(${legacy}) AS t`;
    expect(read!.t).toBeNull();
    expect(createdSpan([minted!.id, legacy])).toBeNull();
    expect(createdSpan([])).toBeNull();
  });

  it('lets the planner keep only the partitions of the span, when it plans', async () => {
    const today = Date.UTC(2026, 11, 6);
    await db.sql`SELECT ihf_webhook_create_partitions(${new Date(today - 30 * DAY).toISOString().slice(0, 10)}::date, ${new Date(today + 3 * DAY).toISOString().slice(0, 10)}::date)`;
    const [minted] = await mint([new Date(today + 12 * 3_600_000)]);
    const scanned = async (span: CreatedSpan | null) => {
      const plan = await db.sql<{ 'QUERY PLAN': string }[]>`
        EXPLAIN (COSTS OFF) SELECT 1 FROM webhook_messages m WHERE m.id = ${minted!.id} AND ${withinSpan(db.sql, 'm.created_at', span)}`;
      const text = plan.map((r) => r['QUERY PLAN']).join('\n');
      // Pruned when the executor starts ("Subplans Removed") would mean planned with every partition.
      expect(text).not.toContain('Subplans Removed');
      return text.match(/on webhook_messages_\w+/g) ?? [];
    };
    expect(await scanned(createdSpan([minted!.id]))).toEqual(['on webhook_messages_20261206']);
    expect((await scanned(null)).length).toBeGreaterThan(30);
  });
});
