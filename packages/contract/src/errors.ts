/**
 * The closed set of error codes the API answers with, and the HTTP status of each.
 * Server and SDK both read this table: the server to write problem documents, the
 * SDK to type the errors it throws.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  validation_failed: 422,
  invalid_reference: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  burst_limited: 429,
  quota_exceeded: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  malformed_json: 'Malformed JSON body',
  unauthenticated: 'Authentication required',
  insufficient_scope: 'Insufficient scope',
  forbidden: 'Forbidden',
  not_found: 'Resource not found',
  route_not_found: 'Route not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  idempotency_in_progress: 'Request with this Idempotency-Key is still in progress',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Unsupported media type',
  validation_failed: 'Validation failed',
  invalid_reference: 'Referenced record does not exist',
  idempotency_key_reused: 'Idempotency-Key reused with a different request',
  rate_limited: 'Rate limit exceeded',
  burst_limited: 'Burst limit exceeded',
  quota_exceeded: 'Daily quota exceeded',
  internal_error: 'Internal server error',
  service_unavailable: 'Service unavailable',
};

/**
 * Problem `type` URIs are `${base}/problems/${code with dashes}`, pages the server serves
 * (GET /problems/{slug}, from ERROR_GUIDE). With no base the URI is relative, which RFC 9457
 * allows: it resolves against the URL the problem came from.
 */
export const PROBLEM_PATH = '/problems/';

export const problemSlug = (code: ErrorCode): string => code.replaceAll('_', '-');

export function problemTypeFor(code: ErrorCode, baseUrl = ''): string {
  return baseUrl.replace(/\/+$/, '') + PROBLEM_PATH + problemSlug(code);
}

/** The code a problem page's slug names, if any. */
export function codeForSlug(slug: string): ErrorCode | undefined {
  const code = slug.replaceAll('-', '_');
  return Object.hasOwn(ERROR_STATUS, code) && problemSlug(code as ErrorCode) === slug ? (code as ErrorCode) : undefined;
}
