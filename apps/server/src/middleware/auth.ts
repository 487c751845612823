import type { RequestHandler } from 'express';
import { ApiError } from '../errors.js';
import { insufficientScope, type Authenticator } from '../services/auth.js';

/**
 * Authenticates and authorizes by the matched route's contract metadata: admin routes
 * take the operator token or a key with scope `admin`; consumer routes take a key with
 * every scope the route names.
 */
export function authorize(authenticator: Authenticator): RequestHandler {
  return async (req, _res, next) => {
    const meta = req.apiRoute?.meta;
    if (!meta || meta.auth.kind === 'public') return next();
    const auth = await authenticator.authenticate(req.get('authorization'));
    req.auth = auth;
    if (meta.auth.kind === 'admin') {
      if (auth.kind === 'operator' || auth.scopes.has('admin')) return next();
      throw insufficientScope(['admin']);
    }
    if (auth.kind === 'operator') {
      throw new ApiError('forbidden', 'The operator token only calls /api/v2/admin routes; use a consumer key here.');
    }
    const missing = meta.auth.scopes.filter((s) => !auth.scopes.has(s));
    if (missing.length > 0) throw insufficientScope(missing);
    next();
  };
}
