import type { RequestHandler } from 'express';
import typeis from 'type-is';
import { ApiError } from '../errors.js';
import { matchRoute, type RouteEntry } from '../lib/route-table.js';

/** Resolves the contract route, answering 404 for unknown paths and 405 for wrong methods. */
export function resolveRoute(table: RouteEntry[]): RequestHandler {
  return (req, _res, next) => {
    const { entry, allowed } = matchRoute(table, req.method, req.path);
    if (entry) {
      req.apiRoute = entry;
      return next();
    }
    if (allowed.length > 0) {
      return next(
        new ApiError('method_not_allowed', `${req.method} is not supported on ${req.path}.`, {
          headers: { Allow: allowed.join(', ') },
          members: { allowed_methods: allowed },
        }),
      );
    }
    next(new ApiError('route_not_found', `There is no route ${req.method} ${req.path}.`));
  };
}

/** 415 when a body is sent in a media type the route does not take. */
export const requireBodyType: RequestHandler = (req, _res, next) => {
  const expected = req.apiRoute?.bodyType;
  if (!typeis.hasBody(req) || !expected) return next();
  const accepted = expected === 'application/json' ? ['application/json', 'application/*+json'] : [expected];
  if (typeis(req, accepted)) return next();
  next(
    new ApiError(
      'unsupported_media_type',
      `This route takes ${expected}; the request sent ${req.get('content-type') ?? 'no Content-Type'}.`,
      { headers: { 'Accept-Post': expected } },
    ),
  );
};
