import type { Request } from 'express';
import { ApiError } from '../errors.js';
import { insufficientScope, type Authenticator } from '../services/auth.js';

/**
 * Authenticates and authorizes by the matched route's contract metadata: admin routes
 * take the operator token or a key with scope `admin`; consumer routes take a key with
 * every scope the route names. Throws the 401 or 403; `req.auth` is set before a 403.
 */
export async function authorize(authenticator: Authenticator, req: Request): Promise<void> {
  const meta = req.apiRoute?.meta;
  if (!meta || meta.auth.kind === 'public') return;
  const auth = await authenticator.authenticate(req.headers.authorization);
  req.auth = auth;
  if (meta.auth.kind === 'admin') {
    if (auth.kind === 'operator' || auth.scopes.has('admin')) return;
    throw insufficientScope(['admin']);
  }
  if (auth.kind === 'operator') {
    throw new ApiError('forbidden', 'The operator token only calls /api/v2/admin routes; use a consumer key here.');
  }
  for (const s of meta.auth.scopes) {
    if (!auth.scopes.has(s)) throw insufficientScope(meta.auth.scopes.filter((x) => !auth.scopes.has(x)));
  }
}
