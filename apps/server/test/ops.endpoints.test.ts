import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { documentServedFrom } from '@ihf/contract/openapi';
import type { OpenAPIObject } from 'openapi3-ts/oas30';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const committed = JSON.parse(readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8')) as OpenAPIObject;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

// What the spec says is checked in packages/contract/test/openapi.test.ts; here, that it is served.
describe('the OpenAPI document', () => {
  it('is served at /openapi.json, naming the origin it was fetched from as its server', async () => {
    const res = await t.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const served = (await res.json()) as OpenAPIObject;
    expect(served).toEqual(JSON.parse(JSON.stringify(documentServedFrom(committed, t.url))));
    expect(served.servers).toEqual([{ url: t.url, description: 'This server' }]);
    // Reached by another name, it names that one (fetch will not send its own Host header);
    // a Host that is no host name stays a string in the JSON.
    const specVia = (host: string) =>
      new Promise<OpenAPIObject>((resolve, reject) => {
        get(`${t.url}/openapi.json`, { headers: { host } }, (r) => {
          let text = '';
          r.on('data', (chunk: Buffer) => (text += chunk.toString()));
          r.on('end', () => resolve(JSON.parse(text) as OpenAPIObject));
        }).on('error', reject);
      });
    expect((await specVia('localhost:1234')).servers![0]!.url).toBe('http://localhost:1234');
    expect((await specVia('a"},{\\x')).servers![0]!.url).toBe('http://a"},{\\x');
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
