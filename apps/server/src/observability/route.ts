import type { Request } from 'express';

/**
 * The route template a request matched, for metric labels and span names: the contract
 * route (`/api/v2/records/{id}` style, never an id), an ops route's own path (`/healthz`),
 * or `unmatched`. Never the request's path, which would make a label value per id.
 */
export function routeOf(req: Request): string {
  if (req.apiRoute) return req.apiRoute.path;
  const path: unknown = req.route?.path;
  return typeof path === 'string' ? path : 'unmatched';
}
