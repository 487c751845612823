import type { Request } from 'express';
import type { AuthContext } from '../services/auth.js';

export type ConsumerAuth = Extract<AuthContext, { kind: 'consumer' }>;

/** The authenticated consumer of a consumer route (the auth middleware guarantees one). */
export function consumerOf(req: Request): ConsumerAuth {
  if (req.auth?.kind !== 'consumer') throw new Error('consumer route reached without consumer authentication');
  return req.auth;
}
