import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { RouteMetadata } from '@ihf/contract';
import { flattenRoutes } from '@ihf/contract/routes';

export interface RouteEntry {
  method: string;
  path: string;
  pattern: RegExp;
  route: AppRoute;
  meta: RouteMetadata;
  /** Media type the route's body must have, or null when it takes none. */
  bodyType: string | null;
}

function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

function bodyTypeOf(route: AppRoute): string | null {
  if (route.method === 'GET' || !('body' in route)) return null;
  if (typeof route.body === 'symbol') return null; // c.noBody()
  return ('contentType' in route && route.contentType) || 'application/json';
}

/**
 * The contract's routes as a table, so requests can be told apart before any handler
 * runs: an unknown path (404), a known path with the wrong method (405 + Allow), and the
 * media type a body must have (415). Routes with fewer parameters win, so
 * `/interaction-events/batch` is not taken for `/interaction-events/:id`.
 */
export function buildRouteTable(contract: AppRouter): RouteEntry[] {
  return flattenRoutes(contract)
    .map((route) => ({
      method: route.method,
      path: route.path,
      pattern: toPattern(route.path),
      route,
      meta: route.metadata,
      bodyType: bodyTypeOf(route),
    }))
    .sort((a, b) => a.path.split(':').length - b.path.split(':').length);
}

export function matchRoute(table: RouteEntry[], method: string, path: string) {
  const candidates = table.filter((e) => e.pattern.test(path));
  const wanted = method === 'HEAD' ? 'GET' : method;
  const entry = candidates.find((e) => e.method === wanted);
  const allowed = [...new Set(candidates.flatMap((e) => (e.method === 'GET' ? ['GET', 'HEAD'] : [e.method])))].sort();
  return { entry, allowed };
}
