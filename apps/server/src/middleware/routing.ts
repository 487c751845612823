import type { Request } from 'express';
import typeis from 'type-is';
import { ApiError } from '../errors.js';
import { allowedMethods, findRoute, type RouteEntry, type RouteTable } from '../lib/route-table.js';

/** The contract route of `req`, with its path parameters; throws 404 for unknown paths and 405 for wrong methods. */
export function resolveRoute(table: RouteTable, req: Request): { entry: RouteEntry; params: Record<string, string> } {
  const entry = findRoute(table, req.method, req.path);
  if (entry) return { entry, params: pathParams(entry, req.path) };
  const allowed = allowedMethods(table, req.path);
  if (allowed.length > 0) {
    throw new ApiError('method_not_allowed', `${req.method} is not supported on ${req.path}.`, {
      headers: { Allow: allowed.join(', ') },
      members: { allowed_methods: allowed },
    });
  }
  throw new ApiError('route_not_found', `There is no route ${req.method} ${req.path}.`);
}

/** Decoded as Express decodes them: a malformed percent-encoding is the client's 400. */
function pathParams(entry: RouteEntry, path: string): Record<string, string> {
  const params: Record<string, string> = {};
  if (entry.params.length === 0) return params;
  const groups = entry.pattern.exec(path)!;
  for (let i = 0; i < entry.params.length; i++) {
    const raw = groups[i + 1]!;
    try {
      params[entry.params[i]!] = raw.includes('%') ? decodeURIComponent(raw) : raw;
    } catch {
      throw new ApiError('bad_request', 'The request could not be understood.');
    }
  }
  return params;
}

/** 415 when a body is sent in a media type the route does not take; null when it may go on. */
export function bodyTypeError(req: Request, entry: RouteEntry): ApiError | null {
  const expected = entry.bodyType;
  if (!expected || !typeis.hasBody(req)) return null;
  const accepted = expected === 'application/json' ? ['application/json', 'application/*+json'] : [expected];
  if (typeis(req, accepted)) return null;
  return new ApiError(
    'unsupported_media_type',
    `This route takes ${expected}; the request sent ${req.get('content-type') ?? 'no Content-Type'}.`,
    { headers: { 'Accept-Post': expected } },
  );
}
