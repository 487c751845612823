// The spec documents every answer: every operation of openapi/openapi.json, driven over real
// HTTP with valid and invalid requests generated from the spec, answers only with statuses it
// declares, bodies that validate against the declared schema, and never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../src/db/client.js';
import { createLogger } from '../src/logger.js';
import { startWebhookWorker } from '../src/webhooks/worker/worker.js';
import { casesFor } from './support/conformance/cases.js';
import { createFixtures, type Fixtures } from './support/conformance/fixtures.js';
import { operations, violation } from './support/conformance/spec.js';
import { validValue } from './support/conformance/values.js';
import { describeFindings, walk } from './support/conformance/walk.js';
import { startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { CONSUMER_SCOPES } from './support/scopes.js';

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

describe('the spec documents every answer', () => {
  it('the judge catches an undeclared status or media type, a body off schema, a problem status off its HTTP status, a missing header', () => {
    const me = operations.find((op) => op.method === 'GET' && op.path === '/api/v2/me')!;
    expect(violation(me, { status: 418, contentType: 'application/json', text: '{}' })).toMatch(/status 418 not declared/);
    expect(violation(me, { status: 200, contentType: 'text/html', text: '<p>' })).toMatch(/media type "text\/html" not declared/);
    expect(violation(me, { status: 200, contentType: 'application/json', text: '{"consumer":1}' })).toMatch(/off schema/);
    expect(violation(me, { status: 404, contentType: 'application/problem+json', text: '{"title":"x"}' })).toMatch(/off schema/);
    const sampled = validValue(me.responses['200']!.content!['application/json']!.schema!) as Record<string, unknown>;
    expect(violation(me, { status: 200, contentType: 'application/json', text: JSON.stringify(sampled) })).toBeNull();
    expect(violation(me, { status: 200, contentType: 'application/json', text: JSON.stringify({ ...sampled, undocumented: 1 }) })).toMatch(/additional properties/);
    const problem = { type: '/problems/x', title: 'x', status: 401, detail: 'x', code: 'forbidden', request_id: 'r' };
    expect(violation(me, { status: 403, contentType: 'application/problem+json', text: JSON.stringify(problem) })).toMatch(/differs from HTTP 403/);
    const ok = { status: 200, contentType: 'application/json', text: JSON.stringify(sampled) };
    expect(violation(me, { ...ok, headers: new Headers({ 'x-request-id': 'r', ratelimit: 'x', 'ratelimit-policy': 'x' }) })).toBeNull();
    expect(violation(me, { ...ok, headers: new Headers({ 'x-request-id': 'r' }) })).toMatch(/required header RateLimit missing/);
  });

  it(`drives every operation with ≥ ${TARGET_REQUESTS} generated requests, all answered as declared`, { timeout: 240_000 }, async () => {
    const perRound = operations.flatMap((op) => casesFor(op, fixtures)).length;
    const rounds = Math.ceil(TARGET_REQUESTS / perRound);
    // Each round regenerates its requests (fresh ids and idempotency keys) on rows earlier rounds changed.
    const cases = Array.from({ length: rounds }, () => operations.flatMap((op) => casesFor(op, fixtures))).flat();
    const started = Date.now();
    const r = await walk(t.url, cases, CONCURRENCY);
    const count = (re: RegExp) => r.findings.filter((f) => re.test(f.why)).reduce((n, f) => n + f.count, 0);
    const without2xx = [...r.statusesByOp].filter(([, s]) => ![...s].some((x) => x >= 200 && x < 300)).map(([w]) => w);
    console.log(
      `conformance: ${r.requests} requests (${rounds} rounds of ${perRound}) over ${operations.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
        `by class ${JSON.stringify(r.byClass)}; by status ${JSON.stringify(r.byStatus)}; undeclared statuses ${count(/status \d+ not declared/)}; ` +
        `media types undeclared ${count(/media type/)}; bodies off schema ${count(/off schema|not JSON|where none|differs/)}; 5xx ${r.byClass['5xx'] ?? 0}; ` +
        `operations never answering 2xx: ${without2xx.length ? without2xx.join(', ') : 'none'}`,
    );
    expect(r.requests).toBeGreaterThanOrEqual(TARGET_REQUESTS);
    expect(r.statusesByOp.size).toBe(operations.length);
    expect(without2xx).toEqual([]);
    const list = describeFindings(r.findings);
    expect(list, `findings:\n${list.join('\n')}`).toEqual([]);
  });

  it('answers as declared when the caller is over its limits (429)', async () => {
    // A consumer allowed one request a minute: each consumer operation, valid requests, twice.
    const { key } = await t.consumerWithKey(CONSUMER_SCOPES, { rate_limit_per_minute: 1, burst_threshold: 1 });
    const limited = { ...fixtures, creds: { ...fixtures.creds, key } };
    const cases = operations.flatMap((op) => casesFor(op, limited).filter((c) => c.label === 'valid, static key'));
    const r = await walk(t.url, [...cases, ...cases], CONCURRENCY);
    console.log(`conformance, over limits: ${r.requests} requests; by status ${JSON.stringify(r.byStatus)}`);
    expect(r.byStatus['429'] ?? 0).toBeGreaterThan(cases.length);
    const list = describeFindings(r.findings);
    expect(list, `findings:\n${list.join('\n')}`).toEqual([]);
  });

  it('answers as declared while PostgreSQL is unreachable (503 where the database is needed)', async () => {
    // A second server whose database is a closed loopback port: every operation, valid requests.
    const sql = createSql('postgres://postgres@127.0.0.1:1/unreachable', { max: 2 });
    const away = await startTestServer({ database: { url: 'postgres://postgres@127.0.0.1:1/unreachable', sql, drop: () => sql.end({ timeout: 1 }) } });
    try {
      const cases = operations.flatMap((op) => casesFor(op, fixtures).filter((c) => c.label.startsWith('valid')));
      const r = await walk(away.url, cases, CONCURRENCY);
      console.log(`conformance, database away: ${r.requests} requests; by status ${JSON.stringify(r.byStatus)}`);
      expect(r.byStatus['503'] ?? 0).toBeGreaterThan(0);
      const list = describeFindings(r.findings);
      expect(list, `findings:\n${list.join('\n')}`).toEqual([]);
    } finally {
      await away.close();
      await away.db.drop();
    }
  });
});
