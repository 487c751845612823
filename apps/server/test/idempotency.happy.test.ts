import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, until, type TestServer } from './support/harness.js';

let t: TestServer;
let key: string;
beforeAll(async () => {
  t = await startTestServer();
  ({ key } = await t.consumerWithKey(['annotations:write', 'annotations:read', 'interaction-events:write', 'webhooks:manage']));
});
afterAll(() => t.close());

const annotation = { body: 'Idempotent note', labels: ['a'] };

describe('Idempotency-Key', () => {
  it('replays the first response for a retry with the same key and body, creating one record', async () => {
    const first = await t.as(key, 'POST', '/api/v2/annotations', annotation, { 'idempotency-key': 'k-replay' });
    expect(first.status).toBe(201);
    const body = await first.json();
    const again = await t.as(key, 'POST', '/api/v2/annotations', annotation, { 'idempotency-key': 'k-replay' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await again.json()).toEqual(body);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM annotations WHERE body = 'Idempotent note'`;
    expect(row!.n).toBe(1);
  });

  it('answers 422 when the same key comes with a different body', async () => {
    await t.as(key, 'POST', '/api/v2/annotations', annotation, { 'idempotency-key': 'k-reuse' });
    const res = await t.as(key, 'POST', '/api/v2/annotations', { ...annotation, body: 'Other' }, { 'idempotency-key': 'k-reuse' });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).code).toBe('idempotency_key_reused');
  });

  it('treats the same body with its object keys in another order as the same request', async () => {
    const event = {
      event_type: 'viewed',
      subject_id: 'key-order',
      actor_id: 'key-order',
      occurred_at: '2026-11-25T10:00:00Z',
      properties: { button: 'save', place: { x: 1, y: 2 } },
    };
    // As another client (or a rebuilt retry) might serialise it: every object's keys reversed.
    const reordered = {
      properties: { place: { y: 2, x: 1 }, button: 'save' },
      occurred_at: '2026-11-25T10:00:00Z',
      actor_id: 'key-order',
      subject_id: 'key-order',
      event_type: 'viewed',
    };
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(event));
    const first = await t.as(key, 'POST', '/api/v2/interaction-events', event, { 'idempotency-key': 'k-order' });
    expect(first.status).toBe(201);
    const created = (await first.json()) as { id: string };
    const again = await t.as(key, 'POST', '/api/v2/interaction-events', reordered, { 'idempotency-key': 'k-order' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { id: string }).id).toBe(created.id);
  });

  it('still answers 422 when only the order of an array differs: array order is meaningful', async () => {
    const first = await t.as(key, 'POST', '/api/v2/annotations', { body: 'Ordered labels', labels: ['a', 'b'] }, { 'idempotency-key': 'k-array' });
    expect(first.status).toBe(201);
    const res = await t.as(key, 'POST', '/api/v2/annotations', { body: 'Ordered labels', labels: ['b', 'a'] }, { 'idempotency-key': 'k-array' });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).code).toBe('idempotency_key_reused');
  });

  it('answers 409 to a concurrent duplicate while the first is still running', async () => {
    // Hold the first request's insert behind a row lock so it is still running when the duplicate arrives.
    const events = Array.from({ length: 1000 }, (_, i) => ({ event_type: 'viewed', subject_id: `c${i}`, actor_id: 'conc', occurred_at: '2026-11-25T10:00:00Z' }));
    const locker = await t.sql.reserve();
    await locker`BEGIN`;
    await locker`LOCK TABLE interaction_events IN EXCLUSIVE MODE`;
    const first = t.as(key, 'POST', '/api/v2/interaction-events/batch', { events }, { 'idempotency-key': 'k-conc' });
    // The duplicate goes out only once the first holds the key: sent earlier, it would take
    // the key itself and wait behind the lock, and the test with it.
    const holds = async () =>
      (await t.sql`SELECT 1 FROM idempotency_keys WHERE idempotency_key = 'k-conc' AND state = 'in_progress'`).length > 0;
    for (let i = 0; i < 500 && !(await holds()); i++) await new Promise((r) => setTimeout(r, 20));
    const dup = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events }, { 'idempotency-key': 'k-conc' });
    expect(dup.status).toBe(409);
    const problem = await readProblem(dup);
    expect(problem.code).toBe('idempotency_in_progress');
    expect(dup.headers.get('retry-after')).toBe('1');
    await locker`COMMIT`;
    locker.release();
    expect((await first).status).toBe(201);
    const replay = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events }, { 'idempotency-key': 'k-conc' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('keeps the key while the first runs after its client gave up, so a retry cannot run it twice', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({ event_type: 'viewed', subject_id: `a${i}`, actor_id: 'aborted', occurred_at: '2026-11-25T10:00:00Z' }));
    const post = (signal?: AbortSignal) =>
      t.request('/api/v2/interaction-events/batch', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': 'k-abort' },
        body: JSON.stringify({ events }),
        signal,
      });
    const keyState = async () =>
      (await t.sql<{ state: string }[]>`SELECT state FROM idempotency_keys WHERE idempotency_key = 'k-abort'`)[0]?.state;
    const locker = await t.sql.reserve();
    await locker`BEGIN`;
    await locker`LOCK TABLE interaction_events IN EXCLUSIVE MODE`;
    try {
      const client = new AbortController();
      const first = post(client.signal);
      await until('the first request to hold the key', async () => (await keyState()) === 'in_progress');
      client.abort();
      await expect(first).rejects.toThrow();
      // The request log records the disconnect (a 499) once the server has seen it.
      await until('the server to see the disconnect', async () => {
        await t.services.traffic.requestLog.flush();
        return (await t.sql`SELECT 1 FROM api_request_log WHERE endpoint = '/api/v2/interaction-events/batch' AND status_code = 499`).length > 0;
      });
      expect(await keyState()).toBe('in_progress');
      const dup = await post(AbortSignal.timeout(5000));
      expect(dup.status).toBe(409);
      expect((await readProblem(dup)).code).toBe('idempotency_in_progress');
    } finally {
      await locker`COMMIT`;
      locker.release();
    }
    await until('the first request to finish', async () => (await keyState()) === 'completed');
    const replay = await post();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events WHERE actor_id = 'aborted'`;
    expect(row!.n).toBe(1000);
  });

  it('keys are per consumer: another consumer’s identical key is independent', async () => {
    const other = (await t.consumerWithKey(['annotations:write'])).key;
    const a = await t.as(key, 'POST', '/api/v2/annotations', annotation, { 'idempotency-key': 'shared-key' });
    const b = await t.as(other, 'POST', '/api/v2/annotations', { body: 'different' }, { 'idempotency-key': 'shared-key' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not keep a refused request, so a corrected retry may reuse the key; keys expire', async () => {
    const bad = await t.as(key, 'POST', '/api/v2/annotations', { body: '' }, { 'idempotency-key': 'k-bad' });
    expect(bad.status).toBe(422);
    await readProblem(bad);
    const fixed = await t.as(key, 'POST', '/api/v2/annotations', { body: 'fixed' }, { 'idempotency-key': 'k-bad' });
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();

    await t.sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = 'k-replay'`;
    const fresh = await t.as(key, 'POST', '/api/v2/annotations', annotation, { 'idempotency-key': 'k-replay' });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
  });

  it('covers webhook subscription creation too, keeping the answer (which shows the secret) sealed', async () => {
    const body = { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/x' };
    const a = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', body, { 'idempotency-key': 'k-sub' });
    const first = (await a.json()) as { id: string; secret: string };
    expect(first.secret).toMatch(/^whsec_/);
    const b = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', body, { 'idempotency-key': 'k-sub' });
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(await b.json()).toEqual(first);
    // The secret is stored encrypted on the subscription; the replay store must not hold it in the clear either.
    const [stored] = await t.sql<{ response_body: string }[]>`SELECT response_body FROM idempotency_keys WHERE idempotency_key = 'k-sub'`;
    expect(stored!.response_body).toMatch(/^v1\./);
    expect(stored!.response_body).not.toContain(first.secret.slice(6));
    expect(stored!.response_body).not.toContain(first.id);
  });

  it('refuses an over-long key', async () => {
    const res = await t.as(key, 'POST', '/api/v2/annotations', annotation, { 'idempotency-key': 'x'.repeat(256) });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ location: 'header', pointer: '/idempotency-key' })]);
  });
});
