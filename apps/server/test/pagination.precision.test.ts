import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let key: string;
beforeAll(async () => {
  t = await startTestServer();
  key = (await t.consumerWithKey(['interaction-events:read', 'interaction-events:write'])).key;
});
afterAll(() => t.close());

// Microseconds a millisecond-precision bind would drop.
const SHARED_CREATED_AT = '2026-11-25 10:00:00.123456+00';

async function batch(actor: string, n: number): Promise<void> {
  const events = Array.from({ length: n }, (_, i) => ({ event_type: 'viewed', subject_id: `s${i}`, actor_id: actor, occurred_at: '2026-11-25T10:00:00Z' }));
  const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
  expect(res.status).toBe(201);
}

async function listAll(query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const res = await t.as(key, 'GET', `/api/v2/interaction-events?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { data: { id: string }[]; next_cursor: string | null };
    ids.push(...page.data.map((r) => r.id));
    cursor = page.next_cursor;
    if (!cursor) return ids;
  }
  throw new Error('pagination did not end');
}

const tampered = (ts: string) => Buffer.from(JSON.stringify([ts, '00000000-0000-4000-8000-000000000000'])).toString('base64url');

describe('pagination at microsecond precision', () => {
  it('lists every row of a batch sharing one created_at exactly once', async () => {
    await batch('precision', 1000);
    await batch('precision', 1000);
    // One batch shares its transaction's created_at; pinning it makes the sub-millisecond part certain.
    await t.sql`UPDATE interaction_events SET created_at = ${SHARED_CREATED_AT}::text::timestamptz WHERE actor_id = 'precision'`;
    const ids = await listAll('actor_id=precision&limit=200');
    expect(ids).toHaveLength(2000);
    expect(new Set(ids).size).toBe(2000);
  });

  it('compares created_after and created_before at microsecond precision', async () => {
    const after = await listAll('actor_id=precision&limit=200&created_after=2026-11-25T10:00:00.123457Z');
    expect(after).toHaveLength(0);
    const before = await listAll('actor_id=precision&limit=200&created_before=2026-11-25T10:00:00.123457Z');
    expect(before).toHaveLength(2000);
  });

  it('answers a tampered cursor with a 422 problem, not a 500', async () => {
    for (const ts of ['0000-01-01T00:00:00Z', '0000-01-01 00:00:00+00', '2026-02-30 00:00:00+00', '2026-11-25 25:00:00+00', 'March 7 2026', '1']) {
      const res = await t.as(key, 'GET', `/api/v2/interaction-events?cursor=${tampered(ts)}`);
      expect(res.status, ts).toBe(422);
      const problem = await readProblem(res);
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/cursor', code: 'invalid_cursor' })]);
    }
  });
});
