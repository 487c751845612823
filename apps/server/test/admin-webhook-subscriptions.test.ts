// The operator's view of webhook subscriptions: every consumer's, with their state
// (active, paused, disabled and why), and re-enable/pause. The disabled one is disabled by
// the real engine: its receiver answers 410.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startWebhookWorker, type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { readProblem, startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

interface Sub {
  id: string;
  consumer_id: string;
  state: string;
  is_active: boolean;
  disabled_at: string | null;
  disabled_reason: string | null;
  consecutive_failures: number;
}
interface Page {
  data: Sub[];
  next_cursor: string | null;
}

let t: TestServer;
let worker: WebhookWorker;
let gone: Receiver;
let a: { consumerId: string; key: string };
let b: { consumerId: string; key: string };
const subs: Record<'active' | 'paused' | 'disabled' | 'other', string> = { active: '', paused: '', disabled: '', other: '' };

async function subscribe(key: string, url: string) {
  const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: url });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

const get = async (path: string): Promise<Page> => {
  const res = await t.admin('GET', path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as Page;
};

beforeAll(async () => {
  t = await startTestServer();
  gone = await startReceiver((_r, _n, res) => res.writeHead(410).end('gone'));
  worker = await startWebhookWorker({ config: t.config, databaseUrl: t.db.url, logger: createLogger('silent'), concurrency: 2, pollIntervalMs: 100 });
  a = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
  b = await t.consumerWithKey(['annotations:read', 'webhooks:manage']);
  subs.disabled = await subscribe(a.key, gone.url);
  subs.paused = await subscribe(a.key, 'http://127.0.0.1:9/paused');
  subs.active = await subscribe(a.key, 'http://127.0.0.1:9/active');
  subs.other = await subscribe(b.key, 'http://127.0.0.1:9/other');
  expect((await t.as(a.key, 'PATCH', `/api/v2/webhook-subscriptions/${subs.paused}`, { is_active: false })).status).toBe(200);
  expect((await t.as(a.key, 'POST', `/api/v2/webhook-subscriptions/${subs.disabled}/test`)).status).toBe(202);
  await until('the 410 to disable the subscription', async () => {
    const res = await t.as(a.key, 'GET', `/api/v2/webhook-subscriptions/${subs.disabled}`);
    return ((await res.json()) as Sub).disabled_at !== null;
  }, 15_000);
});
afterAll(async () => {
  await worker?.stop();
  await gone?.close();
  await t?.close();
});

describe('GET /api/v2/admin/consumers/{consumerId}/webhook-subscriptions', () => {
  it('lists the consumer’s subscriptions newest first, each with its state and why it is disabled', async () => {
    const page = await get(`/api/v2/admin/consumers/${a.consumerId}/webhook-subscriptions`);
    expect(page.next_cursor).toBeNull();
    expect(page.data.map((s) => [s.id, s.state])).toEqual([
      [subs.active, 'active'],
      [subs.paused, 'paused'],
      [subs.disabled, 'disabled'],
    ]);
    expect(page.data.every((s) => s.consumer_id === a.consumerId)).toBe(true);
    expect(page.data[2]).toMatchObject({ disabled_reason: 'The endpoint answered 410 Gone.', is_active: true });
    expect(page.data[2]).not.toHaveProperty('secret');
  });

  it('filters by state and pages with a cursor', async () => {
    expect((await get(`/api/v2/admin/consumers/${a.consumerId}/webhook-subscriptions?state=paused`)).data.map((s) => s.id)).toEqual([subs.paused]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await get(`/api/v2/admin/consumers/${a.consumerId}/webhook-subscriptions?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((s) => s.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([subs.active, subs.paused, subs.disabled]);
  });

  it('is 404 for an unknown consumer and 403 for a consumer key', async () => {
    const res = await t.admin('GET', '/api/v2/admin/consumers/00000000-0000-4000-8000-000000000000/webhook-subscriptions');
    expect(res.status).toBe(404);
    await readProblem(res);
    const refused = await t.as(a.key, 'GET', `/api/v2/admin/consumers/${a.consumerId}/webhook-subscriptions`);
    expect(refused.status).toBe(403);
    expect((await readProblem(refused)).code).toBe('insufficient_scope');
  });
});

describe('GET /api/v2/admin/webhook-subscriptions', () => {
  it('lists every consumer’s subscriptions, filterable to the disabled ones and by consumer', async () => {
    const all = await get('/api/v2/admin/webhook-subscriptions');
    expect(all.data.map((s) => s.id)).toEqual([subs.other, subs.active, subs.paused, subs.disabled]);
    expect((await get('/api/v2/admin/webhook-subscriptions?state=disabled')).data.map((s) => s.id)).toEqual([subs.disabled]);
    expect((await get(`/api/v2/admin/webhook-subscriptions?consumer_id=${b.consumerId}`)).data.map((s) => s.id)).toEqual([subs.other]);
    expect((await get('/api/v2/admin/webhook-subscriptions?state=active&event_type=outcome_signal.created')).data).toEqual([]);
  });

  it('refuses an unknown state', async () => {
    const res = await t.admin('GET', '/api/v2/admin/webhook-subscriptions?state=broken');
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/state' })]);
  });
});

describe('PATCH /api/v2/admin/webhook-subscriptions/{subscriptionId}', () => {
  it('re-enables a disabled subscription as its owner’s update would, and pauses one', async () => {
    const res = await t.admin('PATCH', `/api/v2/admin/webhook-subscriptions/${subs.disabled}`, { is_active: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: subs.disabled, state: 'active', disabled_at: null, disabled_reason: null, consecutive_failures: 0 });
    const owners = (await (await t.as(a.key, 'GET', `/api/v2/webhook-subscriptions/${subs.disabled}`)).json()) as Sub;
    expect(owners).toMatchObject({ is_active: true, disabled_at: null });

    const paused = await t.admin('PATCH', `/api/v2/admin/webhook-subscriptions/${subs.other}`, { is_active: false });
    expect(await paused.json()).toMatchObject({ state: 'paused', is_active: false, consumer_id: b.consumerId });
  });

  it('is 404 for an unknown or deleted subscription and 422 without is_active', async () => {
    expect((await t.admin('PATCH', '/api/v2/admin/webhook-subscriptions/00000000-0000-4000-8000-000000000000', { is_active: true })).status).toBe(404);
    const doomed = await subscribe(b.key, 'http://127.0.0.1:9/doomed');
    expect((await t.as(b.key, 'DELETE', `/api/v2/webhook-subscriptions/${doomed}`)).status).toBe(204);
    expect((await t.admin('PATCH', `/api/v2/admin/webhook-subscriptions/${doomed}`, { is_active: true })).status).toBe(404);
    const invalid = await t.admin('PATCH', `/api/v2/admin/webhook-subscriptions/${subs.active}`, {});
    expect(invalid.status).toBe(422);
    await readProblem(invalid);
  });
});
