// The spec documents every answer: every operation of openapi/openapi.json, driven over real
// HTTP with valid and invalid requests generated from the spec, answers only with statuses it
// declares, bodies that validate against the declared schema, and never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startWebhookWorker } from '../src/webhooks/worker/worker.js';
import { casesFor, type Case } from './support/conformance/cases.js';
import { createFixtures, type Fixtures } from './support/conformance/fixtures.js';
import { operations, violation } from './support/conformance/spec.js';
import { validValue } from './support/conformance/values.js';
import { startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

const TARGET_REQUESTS = 5_000;
const CONCURRENCY = 8;

let t: TestServer;
let receiver: Receiver;
let fixtures: Fixtures;

beforeAll(async () => {
  t = await startTestServer({ env: { BURST_THRESHOLD: '1000000' } });
  receiver = await startReceiver();
  fixtures = await createFixtures(t, receiver.url);
  // A logged delivery for the redeliver route; the worker stops once it is made, to spare the walk its load.
  const worker = await startWebhookWorker({ config: t.config, databaseUrl: t.db.url, logger: createLogger('silent'), concurrency: 2, pollIntervalMs: 100 });
  try {
    await until('a logged delivery', async () => {
      const res = await t.as(fixtures.creds.key, 'GET', `/api/v2/webhook-subscriptions/${fixtures.ids['record:webhook-subscriptions']}/deliveries`);
      fixtures.ids.deliveryId = ((await res.json()) as { data: { id: string }[] }).data[0]?.id ?? '';
      return fixtures.ids.deliveryId !== '';
    }, 15_000);
  } finally {
    await worker.stop();
  }
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

interface Finding { where: string; status: number | string; why: string; count: number; example: string }

async function send(c: Case): Promise<{ status: number; why: string | null }> {
  try {
    const res = await fetch(t.url + c.path, { method: c.method, headers: c.headers, body: c.body });
    const answer = { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
    const why = res.status >= 500 ? `server error: ${answer.text.slice(0, 120)}` : violation(c.op, answer);
    return { status: res.status, why };
  } catch (err) {
    return { status: 0, why: `no answer: ${(err as Error).message}` };
  }
}

describe('the spec documents every answer', () => {
  it('the judge catches an undeclared status, an undeclared media type and a body off schema', () => {
    const me = operations.find((op) => op.id === 'meGet' || (op.method === 'GET' && op.path === '/api/v2/me'))!;
    expect(violation(me, { status: 418, contentType: 'application/json', text: '{}' })).toMatch(/status 418 not declared/);
    expect(violation(me, { status: 200, contentType: 'text/html', text: '<p>' })).toMatch(/media type "text\/html" not declared/);
    expect(violation(me, { status: 200, contentType: 'application/json', text: '{"consumer":1}' })).toMatch(/off schema/);
    expect(violation(me, { status: 404, contentType: 'application/problem+json', text: '{"title":"x"}' })).toMatch(/off schema/);
    const sampled = validValue(me.responses['200']!.content!['application/json']!.schema!) as Record<string, unknown>;
    expect(violation(me, { status: 200, contentType: 'application/json', text: JSON.stringify(sampled) })).toBeNull();
    expect(violation(me, { status: 200, contentType: 'application/json', text: JSON.stringify({ ...sampled, undocumented: 1 }) })).toMatch(/additional properties/);
    expect(violation(me, { status: 403, contentType: 'application/problem+json', text: JSON.stringify({ type: '/problems/x', title: 'x', status: 401, detail: 'x', code: 'forbidden', request_id: 'r' }) })).toMatch(/differs from HTTP 403/);
  });

  it(`drives every operation with ≥ ${TARGET_REQUESTS} generated requests, all answered as declared`, { timeout: 240_000 }, async () => {
    const perRound = operations.flatMap((op) => casesFor(op, fixtures)).length;
    const rounds = Math.ceil(TARGET_REQUESTS / perRound);
    // Each round regenerates its requests (fresh ids and idempotency keys) on rows earlier rounds changed.
    const cases = Array.from({ length: rounds }, () => operations.flatMap((op) => casesFor(op, fixtures))).flat();

    const classes: Record<string, number> = {};
    const statuses: Record<string, number> = {};
    const statusesByOp = new Map<string, Set<number>>();
    const findings = new Map<string, Finding>();
    let next = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const c = cases[next++]!;
          const { status, why } = await send(c);
          statuses[status] = (statuses[status] ?? 0) + 1;
          classes[status ? `${String(status)[0]}xx` : 'none'] = (classes[status ? `${String(status)[0]}xx` : 'none'] ?? 0) + 1;
          const where = `${c.op.method} ${c.op.path}`;
          statusesByOp.set(where, (statusesByOp.get(where) ?? new Set()).add(status));
          if (!why) continue;
          const key = `${where} ${status} ${why}`;
          const f = findings.get(key) ?? { where, status, why, count: 0, example: c.label };
          f.count++;
          findings.set(key, f);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const list = [...findings.values()].map((f) => `${f.where} -> ${f.status}: ${f.why} (${f.count}x, e.g. "${f.example}")`);
    const undeclared = [...findings.values()].filter((f) => /not declared/.test(f.why)).reduce((n, f) => n + f.count, 0);
    const offSchema = [...findings.values()].filter((f) => /off schema|not JSON|where none/.test(f.why)).reduce((n, f) => n + f.count, 0);
    const without2xx = [...statusesByOp].filter(([, s]) => ![...s].some((x) => x >= 200 && x < 300)).map(([w]) => w);
    console.log(
      `conformance: ${cases.length} requests (${rounds} rounds of ${perRound}) over ${operations.length} operations in ${seconds.toFixed(1)} s; ` +
        `by class ${JSON.stringify(classes)}; by status ${JSON.stringify(statuses)}; undeclared statuses ${undeclared}; bodies off schema ${offSchema}; 5xx ${classes['5xx'] ?? 0}; ` +
        `operations never answering 2xx: ${without2xx.length ? without2xx.join(', ') : 'none'}`,
    );

    expect(cases.length).toBeGreaterThanOrEqual(TARGET_REQUESTS);
    expect(statusesByOp.size).toBe(operations.length);
    expect(list, `findings:\n${list.join('\n')}`).toEqual([]);
  });
});
