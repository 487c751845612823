import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const committed = JSON.parse(readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

// What the spec says is checked in packages/contract/test/openapi.test.ts; here, that it is served.
describe('the OpenAPI document', () => {
  it('is served at /openapi.json', async () => {
    const res = await t.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(committed);
  });
  // /docs is the web build's: apps/web/test serves and audits it.
});

describe('operations endpoints', () => {
  it('answers /healthz, /readyz and /metrics', async () => {
    expect(await (await t.request('/healthz')).json()).toEqual({ status: 'ok' });
    expect(await (await t.request('/readyz')).json()).toEqual({ status: 'ready' });
    await t.request('/api/v2/nope');
    const metrics = await (await t.request('/metrics')).text();
    expect(metrics).toContain('ihf_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}');
  });
});
