import { describe, expect, it } from 'vitest';
import { API_PREFIX, contract } from '../src/index.js';
import { flattenRoutes } from '../src/routes.js';
import { RECORD_RESOURCES, readScope, SCOPES, writeScope } from '../src/scopes.js';

const routes = flattenRoutes(contract);
const where = (r: (typeof routes)[number]) => `${r.method} ${r.path}`;

describe('scopes', () => {
  it('are listed once each', () => {
    expect(new Set(SCOPES).size).toBe(SCOPES.length);
  });

  it('give every record resource a read and a write scope', () => {
    for (const resource of RECORD_RESOURCES) {
      expect(SCOPES).toContain(readScope(resource));
      expect(SCOPES).toContain(writeScope(resource));
    }
  });

  it('cover every scope a consumer route asks for, and every route says how it authenticates', () => {
    for (const route of routes) {
      const auth = route.metadata?.auth;
      expect(['public', 'admin', 'consumer'], where(route)).toContain(auth?.kind);
      if (auth?.kind === 'consumer') for (const scope of auth.scopes) expect(SCOPES, where(route)).toContain(scope);
    }
  });

  it('are each asked for by some route', () => {
    const asked = new Set<string>(['admin']);
    for (const route of routes) if (route.metadata.auth.kind === 'consumer') route.metadata.auth.scopes.forEach((s) => asked.add(s));
    expect([...asked].sort()).toEqual([...SCOPES].sort());
  });

  it('guard record routes by the record type: reads need its read scope, writes its write scope', () => {
    for (const resource of RECORD_RESOURCES) {
      const own = routes.filter((r) => r.path === `${API_PREFIX}/${resource}` || r.path.startsWith(`${API_PREFIX}/${resource}/`));
      expect(own.length, resource).toBeGreaterThan(0);
      for (const route of own) {
        const auth = route.metadata.auth;
        expect(auth.kind, where(route)).toBe('consumer');
        const wanted = route.method === 'GET' ? readScope(resource) : writeScope(resource);
        expect(auth.kind === 'consumer' && auth.scopes, where(route)).toContain(wanted);
      }
    }
  });

  it('keep admin routes for the operator', () => {
    for (const route of routes.filter((r) => r.path.startsWith(`${API_PREFIX}/admin/`))) {
      expect(route.metadata.auth.kind, where(route)).toBe('admin');
    }
  });
});
