// /metrics after real traffic: every series PRODUCT.md names exists and moved, labels are
// route templates (never an id), the Grafana dashboard asks only for exposed series, and a
// worker process (IHF_ROLE=worker) serves its series on a port of its own.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { parser } from '@prometheus-io/lezer-promql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookWorker } from '../src/webhooks/worker/worker.js';
import { readProblem, startTestServer, until, type TestServer } from './support/harness.js';
import { parseExposition, scrape, select, total, type Exposition } from './support/prometheus.js';
import { ok, startReceiver, type Receiver } from './support/receiver.js';
import { RECORD_READ_SCOPES } from './support/scopes.js';
import { spawnOnTestDatabase } from './support/process.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const HTTP = 'ihf_http_request_duration_seconds';

let t: TestServer;
let worker: WebhookWorker;
const receivers: Receiver[] = [];
/** Answers held back by the slow receiver, released by the test. */
const held: ServerResponse[] = [];

let before: Exposition;
/** Scraped while an attempt was held by the slow receiver. */
let duringDelivery: Exposition;
/** Scraped once the traffic below is done. */
let after: Exposition;
let bufferedSeen = 0;

const scrapeApp = () => scrape(`${t.url}/metrics`);

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_RETRY_SCHEDULE: '0,0.2,0.2', WEBHOOK_TIMEOUT_MS: '5000' } });
  // As in IHF_ROLE=server: the worker's series on the API's registry.
  worker = await startTestWorker(t, { registry: t.registry });
  before = await scrapeApp();

  const { key, consumerId } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage', 'requirement-candidates:write']);
  const good = await startReceiver(ok);
  const failing = await startReceiver((_r, _n, res) => void res.writeHead(500).end('no'));
  const slow = await startReceiver((_r, _n, res) => void held.push(res));
  receivers.push(good, failing, slow);
  await subscribe(t, key, 'requirement_candidate.created', good.url);
  await subscribe(t, key, 'requirement_candidate.created', failing.url);

  // Reads and writes on routes with ids, a 404, and a 429 from a consumer with a burst of 1.
  const created = await t.as(key, 'POST', '/api/v2/requirement-candidates', { title: 'Metered', category: 'ux' });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  expect((await t.as(key, 'GET', `/api/v2/requirement-candidates/${id}`)).status).toBe(200);
  expect((await t.as(key, 'GET', `/api/v2/requirement-candidates/${consumerId}`)).status).toBe(404);
  expect((await readProblem(await t.as(key, 'GET', `/api/v2/no-such-route/${id}`))).code).toBe('route_not_found');
  const limited = await t.consumerWithKey(['requirement-candidates:read'], { burst_threshold: 1 });
  expect((await t.as(limited.key, 'GET', '/api/v2/me')).status).toBe(200);
  const refused = await t.as(limited.key, 'GET', '/api/v2/me');
  expect(refused.status).toBe(429);
  expect((await readProblem(refused)).limit).toBe('burst');
  await good.waitFor(1);
  await failing.waitFor(3); // the first attempt and both retries

  // An attempt in flight: its message is pending and overdue while the receiver holds the answer.
  await subscribe(t, key, 'requirement_candidate.created', slow.url);
  expect((await t.as(key, 'POST', '/api/v2/requirement-candidates', { title: 'Held', category: 'ux' })).status).toBe(201);
  await slow.waitFor(1);
  await new Promise((r) => setTimeout(r, 100));
  duringDelivery = await scrapeApp();
  for (const res of held.splice(0)) res.writeHead(200).end('ok');

  // The request log writer drains its buffer every second: a request just answered is still in it.
  await until('a request log row in the buffer at scrape time', async () => {
    await t.as(key, 'GET', '/api/v2/me');
    bufferedSeen = total(await scrapeApp(), 'ihf_request_log_buffered_rows');
    return bufferedSeen > 0;
  });
  // Both records reach the good receiver, the second the slow one. The failing subscription is
  // disabled once its first message has failed every attempt, so the second may or may not try it.
  await until(
    'every attempt to be made and the queue to drain',
    async () => {
      after = await scrapeApp();
      return (
        total(after, 'ihf_webhook_attempts_total', { outcome: 'delivered' }) === 3 &&
        total(after, 'ihf_webhook_attempts_total', { outcome: 'failed' }) >= 3 &&
        total(after, 'ihf_webhook_pending_messages') === 0
      );
    },
    20_000,
  );
}, 60_000);

afterAll(async () => {
  for (const res of held.splice(0)) res.writeHead(200).end('ok');
  await worker?.stop();
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});

const grew = (name: string, labels: Record<string, string> = {}) => total(after, name, labels) - total(before, name, labels);

describe('/metrics after real traffic', () => {
  it('times every request by route template, method and status', () => {
    expect(after.types.get(HTTP)).toBe('histogram');
    expect(grew(`${HTTP}_count`)).toBeGreaterThanOrEqual(7);
    const routes = new Set(select(after, `${HTTP}_count`).map((s) => s.labels.route));
    expect([...routes].some((r) => r!.startsWith('/api/v2/requirement-candidates/:'))).toBe(true);
    expect(routes).toContain('unmatched');
    expect(routes).toContain('/metrics');
    expect(grew(`${HTTP}_count`, { route: 'unmatched', method: 'GET', status: '404' })).toBe(1);
    expect(grew(`${HTTP}_count`, { route: '/api/v2/me', method: 'GET', status: '429' })).toBe(1);
    expect(grew(`${HTTP}_count`, { route: '/api/v2/requirement-candidates', method: 'POST', status: '201' })).toBe(2);
    expect(grew(`${HTTP}_bucket`, { le: '+Inf' })).toBe(grew(`${HTTP}_count`));
    expect(grew(`${HTTP}_sum`)).toBeGreaterThan(0);
  });

  it('never puts an id in a label value', () => {
    const values = after.samples.flatMap((s) => Object.values(s.labels));
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((v) => UUID.test(v))).toEqual([]);
  });

  it('counts 429s by the limit that refused them', () => {
    expect(grew('ihf_rate_limit_refusals_total', { limit: 'burst' })).toBe(1);
    expect(select(after, 'ihf_rate_limit_refusals_total').map((s) => s.labels.limit).sort()).toEqual(['burst', 'day', 'minute']);
  });

  it('counts webhook attempts by outcome and times them', () => {
    expect(grew('ihf_webhook_attempts_total', { outcome: 'delivered' })).toBe(3);
    expect(grew('ihf_webhook_attempts_total', { outcome: 'failed' })).toBeGreaterThanOrEqual(3);
    expect(grew('ihf_webhook_attempts_total', { outcome: 'timeout' })).toBe(0);
    expect(grew('ihf_webhook_attempt_duration_seconds_count')).toBe(grew('ihf_webhook_attempts_total'));
    expect(grew('ihf_webhook_attempt_duration_seconds_sum')).toBeGreaterThan(0);
  });

  it('reads the delivery backlog from the database when scraped', () => {
    expect(total(before, 'ihf_webhook_pending_messages')).toBe(0);
    expect(total(duringDelivery, 'ihf_webhook_pending_messages')).toBeGreaterThanOrEqual(1);
    expect(total(duringDelivery, 'ihf_webhook_oldest_pending_seconds')).toBeGreaterThan(0);
    expect(total(after, 'ihf_webhook_pending_messages')).toBe(0);
    expect(total(after, 'ihf_webhook_oldest_pending_seconds')).toBe(0);
  });

  it('shows the request log rows not yet written', () => {
    expect(total(before, 'ihf_request_log_buffered_rows')).toBe(0);
    expect(bufferedSeen).toBeGreaterThan(0);
  });

  it('shows each pool\'s connections by state', () => {
    const api = select(after, 'ihf_db_pool_connections', { pool: 'api' });
    expect(api.map((s) => s.labels.state).sort()).toEqual(['busy', 'closed', 'connecting', 'idle', 'reserved']);
    // The test server's pool has 10 connections; traffic opened some of them.
    expect(api.reduce((n, s) => n + s.value, 0)).toBe(10);
    expect(total(after, 'ihf_db_pool_connections', { pool: 'api', state: 'closed' })).toBeLessThan(10);
    for (const pool of ['worker', 'worker-hot', 'worker-queue']) {
      expect(total(after, 'ihf_db_pool_connections', { pool }), pool).toBeGreaterThan(0);
      expect(select(after, 'ihf_db_pool_waiting_queries', { pool })).toHaveLength(1);
    }
  });
});

/** Grafana's interval variables, which are not PromQL; a duration stands in for them. */
const withoutGrafanaVariables = (expr: string) => expr.replaceAll(/\$__\w+/g, '5m');

describe('the Grafana dashboard (ops/grafana/ihf-dashboard.json)', () => {
  const dashboard = JSON.parse(readFileSync(new URL('../../../ops/grafana/ihf-dashboard.json', import.meta.url), 'utf8')) as {
    panels: { type: string; title: string; targets?: { expr: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((target) => ({ panel: p.title, expr: target.expr })));

  /** Each expression's vector selectors: metric name and the label names it matches on. */
  function selectors(expr: string) {
    const source = withoutGrafanaVariables(expr);
    const found: { metric: string; labels: string[] }[] = [];
    const errors: string[] = [];
    parser.parse(source).iterate({
      enter(node) {
        if (node.type.isError) errors.push(`${node.from}: ${source.slice(node.from, node.from + 20)}`);
        if (node.name !== 'VectorSelector') return;
        const metric = node.node.getChild('Identifier');
        const labels = node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? [];
        found.push({
          metric: metric ? source.slice(metric.from, metric.to) : '',
          labels: labels.map((m) => source.slice(m.getChild('LabelName')!.from, m.getChild('LabelName')!.to)),
        });
      },
    });
    return { found, errors };
  }

  it('parses as PromQL and asks only for series /metrics exposes, by labels they have', () => {
    expect(exprs.length).toBeGreaterThan(10);
    for (const { panel, expr } of exprs) {
      const { found, errors } = selectors(expr);
      expect(errors, `${panel}: ${expr}`).toEqual([]);
      expect(found.length, panel).toBeGreaterThan(0);
      for (const { metric, labels } of found) {
        const samples = select(after, metric);
        expect(samples.length, `${panel}: ${metric} is not exposed`).toBeGreaterThan(0);
        const exposed = new Set(samples.flatMap((s) => Object.keys(s.labels)));
        for (const label of labels) expect(exposed.has(label), `${panel}: ${metric} has no label ${label}`).toBe(true);
      }
    }
  });

  it('charts every series PRODUCT.md names', () => {
    const used = new Set(exprs.flatMap(({ expr }) => selectors(expr).found.map((s) => s.metric.replace(/_(bucket|sum|count)$/, ''))));
    for (const name of [
      HTTP,
      'ihf_rate_limit_refusals_total',
      'ihf_webhook_attempts_total',
      'ihf_webhook_attempt_duration_seconds',
      'ihf_webhook_pending_messages',
      'ihf_webhook_oldest_pending_seconds',
      'ihf_request_log_buffered_rows',
      'ihf_db_pool_connections',
    ]) {
      expect(used, name).toContain(name);
    }
  });
});

describe('a worker process (IHF_ROLE=worker)', () => {
  it('serves its series on METRICS_PORT, and a problem document elsewhere', async () => {
    const p = spawnOnTestDatabase(t, { IHF_ROLE: 'worker', METRICS_PORT: '0' });
    try {
      // Generous: a cold start compiles the TypeScript, and this machine may be busy.
      const { url } = (await p.waitForLog('worker metrics listening', 90_000)) as unknown as { url: string };
      await p.waitForLog('webhook worker running', 30_000);
      const exposed = await scrape(url);
      for (const name of ['ihf_webhook_attempts_total', 'ihf_webhook_attempt_duration_seconds_count', 'ihf_webhook_pending_messages', 'ihf_webhook_oldest_pending_seconds']) {
        expect(select(exposed, name).length, name).toBeGreaterThan(0);
      }
      expect(select(exposed, 'ihf_db_pool_connections', { pool: 'worker' }).length).toBeGreaterThan(0);
      expect(select(exposed, 'process_cpu_seconds_total')).toHaveLength(1);
      // The API's series belong to API processes.
      expect(select(exposed, `${HTTP}_count`)).toEqual([]);
      const missing = await fetch(url.replace(/\/metrics$/, '/nope'));
      expect((await readProblem(missing)).code).toBe('route_not_found');
    } finally {
      p.child.kill('SIGTERM');
      expect((await p.exited).code).toBe(0);
    }
  }, 150_000);

  it('parses the exposition format the way Prometheus does', () => {
    const e = parseExposition('# TYPE x counter\nx_total{a="q\\"uote",b="back\\\\slash"} 3 1700000000000\ny NaN\n');
    expect(e.samples).toEqual([
      { name: 'x_total', labels: { a: 'q"uote', b: 'back\\slash' }, value: 3 },
      { name: 'y', labels: {}, value: Number.NaN },
    ]);
  });
});
