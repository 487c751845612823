// The operator's delivery log across subscriptions: GET /api/v2/admin/webhook-deliveries.
// Attempts of two consumers' subscriptions are appended to the log directly (the log is
// what the engine writes; the engine has tests of its own), with known times, so that
// order, filters and paging can be checked exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { subscribe } from './support/webhooks.js';
import type { EventTopic } from '@ihf/contract';

let t: TestServer;
let a: { consumerId: string; key: string; sub: string };
let b: { consumerId: string; key: string; sub: string };

interface Row {
  id: string;
  subscription_id: string;
  consumer_id: string;
  target_url: string;
  status: string;
  event_type: string;
  attempt: number;
  attempted_at: string;
}
interface Page {
  data: Row[];
  next_cursor: string | null;
}

async function consumerWithSubscription(topic: EventTopic, url: string) {
  const { consumerId, key } = await t.consumerWithKey(['interaction-events:read', 'annotations:read', 'webhooks:manage']);
  return { consumerId, key, sub: (await subscribe(t, key, topic, url)).id };
}

/** Appends attempts to the log at 10:00 + i minutes on 2026-11-20. */
async function logAttempts(sub: string, topic: string, statuses: string[], firstMinute: number) {
  await t.sql`
    INSERT INTO webhook_deliveries (webhook_subscription_id, payload, status, response_code, attempt, event_type, attempted_at)
    SELECT ${sub}::uuid, '{}', s, CASE s WHEN 'delivered' THEN 200 ELSE 500 END, 1, ${topic},
      timestamptz '2026-11-20T10:00:00Z' + make_interval(mins => ${firstMinute}::int + (i - 1)::int)
    FROM unnest(${statuses}::text[]) WITH ORDINALITY AS x(s, i)`;
}

const get = async (query: string): Promise<Page> => {
  const res = await t.admin('GET', `/api/v2/admin/webhook-deliveries${query}`);
  expect(res.status, query).toBe(200);
  return (await res.json()) as Page;
};

beforeAll(async () => {
  t = await startTestServer();
  a = await consumerWithSubscription('interaction_event.created', 'http://127.0.0.1:9/a');
  b = await consumerWithSubscription('annotation.created', 'http://127.0.0.1:9/b');
  await logAttempts(a.sub, 'interaction_event.created', ['delivered', 'failed', 'delivered', 'failed', 'delivered'], 0);
  await logAttempts(b.sub, 'annotation.created', ['failed', 'delivered', 'delivered'], 10);
});
afterAll(() => t?.close());

describe('GET /api/v2/admin/webhook-deliveries', () => {
  it('lists every subscription’s attempts newest first, with the owning consumer and target', async () => {
    const page = await get('');
    expect(page.data).toHaveLength(8);
    const times = page.data.map((r) => r.attempted_at);
    expect(times).toEqual([...times].sort().reverse());
    expect(page.data[0]).toMatchObject({ subscription_id: b.sub, consumer_id: b.consumerId, target_url: 'http://127.0.0.1:9/b', event_type: 'annotation.created' });
    expect(page.data[7]).toMatchObject({ subscription_id: a.sub, consumer_id: a.consumerId, status: 'delivered' });
  });

  it('filters by consumer, subscription, status, topic and time', async () => {
    expect((await get(`?consumer_id=${a.consumerId}`)).data.map((r) => r.subscription_id)).toEqual(Array(5).fill(a.sub));
    expect((await get(`?subscription_id=${b.sub}`)).data).toHaveLength(3);
    const failed = await get('?status=failed');
    expect(failed.data.map((r) => [r.subscription_id, r.attempted_at])).toEqual([
      [b.sub, '2026-11-20T10:10:00.000Z'],
      [a.sub, '2026-11-20T10:03:00.000Z'],
      [a.sub, '2026-11-20T10:01:00.000Z'],
    ]);
    expect((await get('?event_type=annotation.created&status=delivered')).data).toHaveLength(2);
    const window = await get('?from=2026-11-20T10:02:00Z&to=2026-11-20T10:11:00Z');
    expect(window.data.map((r) => r.attempted_at)).toEqual([
      '2026-11-20T10:10:00.000Z',
      '2026-11-20T10:04:00.000Z',
      '2026-11-20T10:03:00.000Z',
      '2026-11-20T10:02:00.000Z',
    ]);
  });

  it('pages with an opaque cursor, each attempt once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await get(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
  });

  it('answers 422 problems for bad filters and is the operator’s alone', async () => {
    for (const query of ['?status=lost', '?event_type=user.deleted', '?consumer_id=x', '?cursor=bogus', '?from=yesterday']) {
      const res = await t.admin('GET', `/api/v2/admin/webhook-deliveries${query}`);
      expect(res.status, query).toBe(422);
      expect((await readProblem(res)).code, query).toBe('validation_failed');
    }
    expect((await t.as(a.key, 'GET', '/api/v2/admin/webhook-deliveries')).status).toBe(403);
    const { key } = await t.consumerWithKey(['admin']);
    expect((await t.as(key, 'GET', '/api/v2/admin/webhook-deliveries')).status).toBe(200);
  });
});
