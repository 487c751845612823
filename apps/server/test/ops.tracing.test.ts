// Tracing end to end: the real entry point exports OTLP/HTTP to a receiver on loopback.
// A request carrying a traceparent creates a record; its span, its database spans, and the
// webhook attempt's span (linked to the request's) arrive at the receiver, and the webhook
// receiver gets the attempt's own traceparent. Without OTEL_EXPORTER_OTLP_ENDPOINT nothing
// is exported and no traceparent is stored or sent.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, until, type TestServer } from './support/harness.js';
import { spawnOnTestDatabase, type ServerProcess } from './support/process.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { RECORD_READ_SCOPES } from './support/scopes.js';
import { subscribe } from './support/webhooks.js';

/** A span as OTLP/JSON encodes it (ids in hex), with its resource's attributes. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  links?: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}
interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}
interface ExportTraceServiceRequest {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: Omit<OtlpSpan, 'resource'>[] }[] }[];
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

const valueOf = (a: OtlpAttribute) => a.value.stringValue ?? a.value.boolValue ?? a.value.doubleValue ?? (a.value.intValue === undefined ? undefined : Number(a.value.intValue));
const attributesOf = (list: OtlpAttribute[] = []) => Object.fromEntries(list.map((a) => [a.key, valueOf(a)]));

/** An OTLP/HTTP trace receiver (JSON encoding) on loopback, keeping every span it is sent. */
async function startOtlpReceiver() {
  const spans: OtlpSpan[] = [];
  let exports = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !req.headers['content-type']?.startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      exports++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportTraceServiceRequest;
      for (const rs of body.resourceSpans ?? []) {
        const resource = attributesOf(rs.resource?.attributes);
        for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) spans.push({ ...span, resource });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    exports: () => exports,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

let t: TestServer;
let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
const receivers: Receiver[] = [];
const processes: ServerProcess[] = [];

beforeAll(async () => {
  // Consumers and subscriptions are set up through an in-process server (not traced);
  // the traced requests go to the real entry point on the same database.
  t = await startTestServer();
  otlp = await startOtlpReceiver();
});
afterAll(async () => {
  for (const p of processes) p.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p.exited));
  await Promise.all(receivers.map((r) => r.close()));
  await otlp?.close();
  await t?.close();
});

/** The entry point in IHF_ROLE=server (API and worker), started; answers its base URL. */
async function spawnFullServer(env: Record<string, string>): Promise<{ url: string; p: ServerProcess }> {
  const p = spawnOnTestDatabase(t, { IHF_ROLE: 'server', WEBHOOK_RETRY_SCHEDULE: '0,1', ...env });
  processes.push(p);
  const listening = (await p.waitForLog('IHF External API listening', 120_000)) as { url?: string };
  return { url: listening.url!, p };
}

/** A consumer subscribed to requirement_candidate.created at a fresh receiver. */
async function subscribedConsumer() {
  const { key, consumerId } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage', 'requirement-candidates:write']);
  const receiver = await startReceiver();
  receivers.push(receiver);
  const sub = await subscribe(t, key, 'requirement_candidate.created', receiver.url);
  return { key, consumerId, receiver, sub };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

async function createRecord(url: string, key: string, traceparent: string) {
  const res = await fetch(`${url}/api/v2/requirement-candidates`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ title: 'Traced secret title', category: 'ux' }),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return { requestId: res.headers.get('x-request-id')!, record: (await res.json()) as { id: string } };
}

async function storedTraceparent(recordId: string): Promise<string | null> {
  const [row] = await t.sql<{ traceparent: string | null }[]>`SELECT traceparent FROM webhook_events WHERE record_id = ${recordId}`;
  expect(row).toBeDefined();
  return row!.traceparent;
}

describe('tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  it('exports the request, its database work and the webhook attempt linked to it', async () => {
    const { url, p } = await spawnFullServer({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '100' });
    const { key, consumerId, receiver, sub } = await subscribedConsumer();
    const callerTrace = hex(16);
    const callerSpan = hex(8);
    const { requestId, record } = await createRecord(url, key, `00-${callerTrace}-${callerSpan}-01`);
    const [delivery] = await receiver.waitFor(1);

    // The request's span continues the caller's trace.
    const requestSpan = () => otlp.spans.find((s) => s.kind === SPAN_KIND_SERVER && attributesOf(s.attributes)['ihf.request_id'] === requestId);
    await until('the request span', () => requestSpan() !== undefined);
    const request = requestSpan()!;
    expect(request).toMatchObject({ name: 'POST /api/v2/requirement-candidates', traceId: callerTrace, parentSpanId: callerSpan });
    expect(attributesOf(request.attributes)).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/api/v2/requirement-candidates',
      'http.response.status_code': 201,
      'ihf.consumer_id': consumerId,
    });
    expect(request.resource['service.name']).toBe('ihf-external-api');

    // Its database work, as child spans, with no parameter values.
    await until('its database spans', () => otlp.spans.some((s) => s.parentSpanId === request.spanId && s.name === 'WITH webhook_events'));
    const dbSpans = otlp.spans.filter((s) => s.parentSpanId === request.spanId && attributesOf(s.attributes)['db.system'] === 'postgresql');
    expect(dbSpans.length).toBeGreaterThan(1);
    for (const span of dbSpans) {
      expect(span).toMatchObject({ traceId: callerTrace, kind: SPAN_KIND_CLIENT });
      expect(attributesOf(span.attributes)['db.system.name']).toBe('postgresql');
      expect(JSON.stringify(span.attributes)).not.toContain('Traced secret title');
    }
    // Named by statement and table: the fan-out's `WITH ev AS (INSERT INTO webhook_events ...`.
    expect(dbSpans.map((s) => s.name)).toContain('WITH webhook_events');

    // The event keeps the request's traceparent...
    expect(await storedTraceparent(record.id)).toBe(`00-${callerTrace}-${request.spanId}-01`);

    // ...and the attempt's span, in a trace of its own, links to the request's span.
    const attemptSpan = () => otlp.spans.find((s) => s.name === 'webhook attempt' && attributesOf(s.attributes)['ihf.webhook.message_id'] === delivery!.headers['webhook-id']);
    await until('the attempt span', () => attemptSpan() !== undefined);
    const attempt = attemptSpan()!;
    expect(attempt.kind).toBe(SPAN_KIND_CLIENT);
    expect(attempt.parentSpanId ?? '').toBe('');
    expect(attempt.traceId).not.toBe(callerTrace);
    expect(attempt.links).toEqual([expect.objectContaining({ traceId: callerTrace, spanId: request.spanId })]);
    expect(attributesOf(attempt.attributes)).toMatchObject({
      'ihf.webhook.attempt': 1,
      'ihf.webhook.subscription_id': sub.id,
      'ihf.webhook.outcome': 'delivered',
      'http.response.status_code': 200,
    });

    // The receiver was sent the attempt's own traceparent.
    expect(delivery!.headers.traceparent).toBe(`00-${attempt.traceId}-${attempt.spanId}-01`);

    // Its worker must not deliver the next test's webhooks.
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  }, 180_000);
});

describe('tracing without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('starts no exporter, stores no traceparent and sends none', async () => {
    // Were an SDK started anyway, this standard variable alone would send its spans to the receiver.
    const { url, p } = await spawnFullServer({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${otlp.url}/v1/traces`, OTEL_BSP_SCHEDULE_DELAY: '100' });
    const before = otlp.exports();
    const { key, receiver } = await subscribedConsumer();
    const { record } = await createRecord(url, key, `00-${hex(16)}-${hex(8)}-01`);
    const [delivery] = await receiver.waitFor(1);

    expect(delivery!.headers.traceparent).toBeUndefined();
    expect(await storedTraceparent(record.id)).toBeNull();
    // Longer than several export intervals.
    await new Promise((r) => setTimeout(r, 1000));
    expect(otlp.exports()).toBe(before);
    expect(p.output()).not.toContain('tracing on');
  }, 180_000);
});
