import { contract } from '@ihf/contract';
import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, fixture, type RouteName } from '../src/testing/index.js';

function routes(router: AppRouter, prefix = ''): [string, AppRoute][] {
  return Object.entries(router).flatMap(([k, v]) => (isAppRoute(v) ? [[prefix + k, v] as [string, AppRoute]] : routes(v, `${prefix}${k}.`)));
}
const all = routes(contract);
const successOf = (r: AppRoute) => Number(Object.keys(r.responses).find((s) => Number(s) >= 200 && Number(s) < 300));

describe('fixtures', () => {
  it('cover every route of the contract', () => {
    expect(all.length).toBeGreaterThan(10);
  });

  it.each(all)('%s: the fixture is valid against the route’s success schema', (name, route) => {
    const schema = route.responses[successOf(route)] as { safeParse?: (v: unknown) => { success: boolean; error?: unknown } };
    if (typeof schema?.safeParse !== 'function') return expect(fixture(name as RouteName)).toBeUndefined();
    const result = schema.safeParse(fixture(name as RouteName));
    expect(result.error).toBeUndefined();
    expect(result.success).toBe(true);
  });
});

describe('createHandlers', () => {
  const server = setupServer(...createHandlers({ baseUrl: 'http://ihf.test' }));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());

  it('answers 401 with a problem document without a bearer credential', async () => {
    const res = await fetch('http://ihf.test/api/v2/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 401, code: 'unauthenticated', request_id: res.headers.get('x-request-id') });
  });
});
