import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

const postConsumer = (body: BodyInit, contentType = 'application/json', extra: Record<string, string> = {}) =>
  t.request('/api/v2/admin/consumers', {
    method: 'POST',
    headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': contentType, ...extra },
    body,
  });

describe('every error is an RFC 9457 problem document', () => {
  it('answers an unknown route with 404 route_not_found', async () => {
    const res = await t.request('/api/v2/does-not-exist');
    expect(res.status).toBe(404);
    const problem = await readProblem(res);
    expect(problem).toMatchObject({
      code: 'route_not_found',
      type: '/problems/route-not-found',
      instance: '/api/v2/does-not-exist',
    });
  });

  it('answers unknown paths outside /api/v2 the same way, never with HTML', async () => {
    const res = await t.request('/index.html');
    expect(res.status).toBe(404);
    expect((await readProblem(res)).code).toBe('route_not_found');
  });

  it('answers a wrong method with 405 and an Allow header', async () => {
    const res = await t.request('/api/v2/admin/consumers', { method: 'DELETE', headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST');
    expect((await readProblem(res)).code).toBe('method_not_allowed');
  });

  it('answers malformed JSON with 400 malformed_json', async () => {
    const res = await postConsumer('{"name": ');
    expect(res.status).toBe(400);
    expect((await readProblem(res)).code).toBe('malformed_json');
  });

  it('answers a JSON scalar body with 400 (only objects and arrays are accepted)', async () => {
    const res = await postConsumer('"just a string"');
    expect(res.status).toBe(400);
    expect((await readProblem(res)).code).toBe('malformed_json');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x'])(
    'answers a %s body where JSON is expected with 415',
    async (type) => {
      const res = await postConsumer('name=acme', type);
      expect(res.status).toBe(415);
      expect(res.headers.get('accept-post')).toBe('application/json');
      expect((await readProblem(res)).code).toBe('unsupported_media_type');
    },
  );

  it('accepts application/json with a charset and +json media types', async () => {
    const a = await postConsumer(JSON.stringify({ name: 'charset' }), 'application/json; charset=utf-8');
    expect(a.status).toBe(201);
    const b = await postConsumer(JSON.stringify({ name: 'vendor' }), 'application/vnd.ihf+json');
    expect(b.status).toBe(201);
  });

  it('answers a body over 1 MiB with 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ name: 'x', description: 'y'.repeat(1024 * 1024 + 10) });
    const res = await postConsumer(big);
    expect(res.status).toBe(413);
    expect((await readProblem(res)).code).toBe('payload_too_large');

    const chunks = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const streamed = await t.request('/api/v2/admin/consumers', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect((await readProblem(streamed)).code).toBe('payload_too_large');
  });

  it('answers validation failures with 422 listing each failing field', async () => {
    const res = await postConsumer(JSON.stringify({ tier: 'gold', rate_limit_per_minute: -1, extra: true }));
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem.code).toBe('validation_failed');
    const errors = problem.errors as { location: string; pointer: string; code: string }[];
    expect(errors.map((e) => e.pointer).sort()).toEqual(['/extra', '/name', '/rate_limit_per_minute', '/tier']);
    expect(errors.every((e) => e.location === 'body')).toBe(true);
    expect(problem.detail).toBe('The request has 4 invalid fields.');
  });

  it('lists invalid path and query parameters with their location', async () => {
    const path = await t.admin('GET', '/api/v2/admin/consumers/not-a-uuid');
    expect(path.status).toBe(422);
    expect((await readProblem(path)).errors).toEqual([
      expect.objectContaining({ location: 'path', pointer: '/consumerId' }),
    ]);
    const query = await t.admin('GET', '/api/v2/admin/consumers?limit=500');
    expect(query.status).toBe(422);
    expect((await readProblem(query)).errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/limit' })]);
  });

  it('answers a forged cursor with 422 on the cursor parameter', async () => {
    const res = await t.admin('GET', '/api/v2/admin/consumers?cursor=bm90LWEtY3Vyc29y');
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/cursor' })]);
  });

  it('answers an unknown record id with 404 not_found', async () => {
    const res = await t.admin('GET', '/api/v2/admin/consumers/00000000-0000-4000-8000-000000000000');
    expect(res.status).toBe(404);
    expect((await readProblem(res)).code).toBe('not_found');
  });

  it('echoes a sane X-Request-Id, generates one otherwise, and puts it in the problem', async () => {
    const given = await t.request('/api/v2/nope', { headers: { 'x-request-id': 'trace-abc.123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-abc.123');
    expect((await readProblem(given)).request_id).toBe('trace-abc.123');

    const generated = await t.request('/api/v2/nope');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const hostile = await t.request('/api/v2/nope', { headers: { 'x-request-id': 'x'.repeat(500) } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await readProblem(hostile);
  });

  it('echoes X-Request-Id on successful responses too', async () => {
    const res = await t.request('/api/v2/admin/consumers', {
      headers: { authorization: `Bearer ${t.adminToken}`, 'x-request-id': 'ok-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('ok-1');
  });

  it('answers an internal failure with 500 and no stack trace or SQL', async () => {
    // Break this test file's own database under the server to force an unexpected error.
    await t.sql`ALTER TABLE hub_capability_manifests RENAME TO hub_capability_manifests_gone`;
    try {
      const res = await t.admin('GET', '/api/v2/admin/manifests');
      expect(res.status).toBe(500);
      const problem = await readProblem(res);
      expect(problem.code).toBe('internal_error');
      const text = JSON.stringify(problem);
      expect(text).not.toMatch(/at .*\.ts|node_modules|relation|SELECT/);
    } finally {
      await t.sql`ALTER TABLE hub_capability_manifests_gone RENAME TO hub_capability_manifests`;
    }
  });
});
