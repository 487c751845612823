import type { ErrorCode } from '@ihf/contract';
import { ApiError } from '../../errors.js';
import { REALM } from '../auth.js';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type';

/** Token responses, good and bad, must never be cached (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/**
 * An RFC 6749 §5.2 error, thrown like any ApiError; the problem handler adds `error` and
 * `error_description`. `invalid_client` is a 401 with a Basic challenge, the rest 400.
 */
export function oauthError(error: OAuthErrorCode, description: string): ApiError {
  const code: ErrorCode = error === 'invalid_client' ? 'unauthenticated' : 'bad_request';
  return new ApiError(code, description, {
    contentType: 'application/json',
    headers: {
      ...NO_STORE,
      ...(error === 'invalid_client' ? { 'WWW-Authenticate': `Basic realm="${REALM}", charset="UTF-8"` } : {}),
    },
    members: { error, error_description: description },
  });
}
