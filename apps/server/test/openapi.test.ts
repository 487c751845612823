import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { buildOpenApiDocument } from '@ihf/contract/openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.js';

const committed = JSON.parse(readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8')) as Record<string, unknown>;

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe('the OpenAPI document', () => {
  it('is committed exactly as the contract generates it (no drift)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('is served at /openapi.json', async () => {
    const res = await t.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(committed);
  });

  it('validates with swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(committed) as never)).resolves.toBeTruthy();
  });

  it('gives every operation an operationId, a summary, a tag, security and problem responses', () => {
    const paths = committed.paths as Record<string, Record<string, Record<string, unknown>>>;
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
        expect(ids.has(op.operationId as string), `duplicate operationId at ${where}`).toBe(false);
        ids.add(op.operationId as string);
        expect(op.summary, where).toBeTruthy();
        expect((op.tags as string[]).length, where).toBe(1);
        expect(op.security, where).toBeDefined();
        const responses = op.responses as Record<string, { content?: Record<string, unknown> }>;
        expect(Object.keys(responses['500']?.content ?? {}), where).toEqual(['application/problem+json']);
      }
    }
    expect((committed.components as { securitySchemes: Record<string, unknown> }).securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
  });
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
