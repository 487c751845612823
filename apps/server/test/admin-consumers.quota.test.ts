// Today's quota use on the operator's consumer views (the console's Consumers table):
// requests admitted since UTC midnight, from the request log, as the daily quota counts them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
let clock = Date.parse('2099-06-01T10:00:00Z');
beforeAll(async () => {
  t = await startTestServer({ now: () => new Date(clock) });
});
afterAll(() => t?.close());

type Consumer = { id: string; quota_used_today: number };

describe('quota_used_today', () => {
  it('counts admitted requests (403s too, 429s not) on list, get, update and deactivate, and restarts at midnight', async () => {
    const busy = await t.consumerWithKey(['usage:read'], { quota_per_day: 4 });
    const idle = await t.createConsumer();
    expect((await t.as(busy.key, 'GET', '/api/v2/me')).status).toBe(200);
    expect((await t.as(busy.key, 'GET', '/api/v2/me')).status).toBe(200);
    expect((await t.as(busy.key, 'GET', '/api/v2/admin/consumers')).status).toBe(403);
    expect((await t.as(busy.key, 'GET', '/api/v2/me')).status).toBe(200);
    expect((await t.as(busy.key, 'GET', '/api/v2/me')).status).toBe(429);
    await t.services.traffic.requestLog.flush();

    const list = (await (await t.admin('GET', '/api/v2/admin/consumers')).json()) as { data: Consumer[] };
    const used = Object.fromEntries(list.data.map((c) => [c.id, c.quota_used_today]));
    expect(used).toEqual({ [busy.consumerId]: 4, [idle.id]: 0 });
    const got = (await (await t.admin('GET', `/api/v2/admin/consumers/${busy.consumerId}`)).json()) as Consumer;
    expect(got.quota_used_today).toBe(4);
    const updated = (await (await t.admin('PATCH', `/api/v2/admin/consumers/${busy.consumerId}`, { quota_per_day: 10 })).json()) as Consumer;
    expect(updated.quota_used_today).toBe(4);
    const deactivated = (await (await t.admin('POST', `/api/v2/admin/consumers/${idle.id}/deactivate`)).json()) as Consumer;
    expect(deactivated.quota_used_today).toBe(0);

    clock = Date.parse('2099-06-02T00:00:01Z');
    const next = (await (await t.admin('GET', `/api/v2/admin/consumers/${busy.consumerId}`)).json()) as Consumer;
    expect(next.quota_used_today).toBe(0);
  });

  it('is 0 for a consumer just created', async () => {
    const res = await t.admin('POST', '/api/v2/admin/consumers', { name: 'new' });
    expect(((await res.json()) as Consumer).quota_used_today).toBe(0);
  });
});
