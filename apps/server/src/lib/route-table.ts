import type { AppRoute, AppRouter } from '@ts-rest/core';
import type { RouteMetadata } from '@ihf/contract';
import { flattenRoutes } from '@ihf/contract/routes';

export interface RouteEntry {
  method: string;
  path: string;
  pattern: RegExp;
  /** Names of the path parameters, in the order of the pattern's groups. */
  params: string[];
  route: AppRoute;
  meta: RouteMetadata;
  /** Media type the route's body must have, or null when it takes none. */
  bodyType: string | null;
}

/** The table, bucketed by the number of path segments, so a lookup tests only routes of that length. */
export interface RouteTable {
  entries: RouteEntry[];
  bySegments: Map<number, RouteEntry[]>;
}

const segmentsOf = (path: string) => path.split('/').filter(Boolean).length;

function toPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((seg) => (seg.startsWith(':') ? '([^/]+)' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
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
export function buildRouteTable(contract: AppRouter): RouteTable {
  const entries = flattenRoutes(contract)
    .map((route) => ({
      method: route.method,
      path: route.path,
      pattern: toPattern(route.path),
      params: route.path
        .split('/')
        .filter((s) => s.startsWith(':'))
        .map((s) => s.slice(1)),
      route,
      meta: route.metadata,
      bodyType: bodyTypeOf(route),
    }))
    .sort((a, b) => a.params.length - b.params.length);
  const bySegments = new Map<number, RouteEntry[]>();
  for (const e of entries) {
    const n = segmentsOf(e.path);
    bySegments.set(n, [...(bySegments.get(n) ?? []), e]);
  }
  return { entries, bySegments };
}

/** The route for `method` on `path`, or null; HEAD is served by the GET route. */
export function findRoute(table: RouteTable, method: string, path: string): RouteEntry | null {
  const candidates = table.bySegments.get(segmentsOf(path));
  if (!candidates) return null;
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const e of candidates) if (e.method === wanted && e.pattern.test(path)) return e;
  return null;
}

/** The methods `path` takes (for 405's Allow), empty when no route has that path. */
export function allowedMethods(table: RouteTable, path: string): string[] {
  const candidates = (table.bySegments.get(segmentsOf(path)) ?? []).filter((e) => e.pattern.test(path));
  return [...new Set(candidates.flatMap((e) => (e.method === 'GET' ? ['GET', 'HEAD'] : [e.method])))].sort();
}
