import type { ErrorCode } from './errors.js';

/** What a problem type means, what typically causes it, and what the client should do. */
export interface ErrorGuide {
  meaning: string;
  causes: string[];
  action: string;
}

/** The documentation of each error code: the page its problem `type` URI dereferences to. */
export const ERROR_GUIDE: Record<ErrorCode, ErrorGuide> = {
  bad_request: {
    meaning: 'The request could not be read or understood as HTTP.',
    causes: ['A body cut short or with a Content-Length that does not match it', 'A malformed request line or header'],
    action: 'Fix the request; sending the same bytes again will fail the same way.',
  },
  malformed_json: {
    meaning: 'The request body is not valid JSON.',
    causes: ['A trailing comma, single quotes or an unquoted key', 'A body built by string concatenation rather than a JSON encoder'],
    action: 'Encode the body with a JSON library and send it again.',
  },
  unauthenticated: {
    meaning: 'The request carries no credential the API accepts. The WWW-Authenticate header says why.',
    causes: [
      'No Authorization header, or one that is not `Bearer <credential>`',
      'An unknown, expired or revoked API key, access token or portal credential',
      'An access token whose key was revoked or rotated past its grace period',
    ],
    action: 'Send `Authorization: Bearer <credential>` with a live key, or get a new access token from /api/v2/token.',
  },
  insufficient_scope: {
    meaning: 'The credential is valid but lacks a scope the operation needs (RFC 6750 `insufficient_scope`).',
    causes: ['A key issued without the scope', 'An access token requested with a narrower `scope`'],
    action: 'Ask an operator for a key with the scope, or request a token that includes it. The detail names the scope.',
  },
  forbidden: {
    meaning: 'This kind of credential may not make this request, whatever its scopes.',
    causes: ['The operator token used outside /api/v2/admin', 'A portal credential used for an action only admins or the consumer may take'],
    action: 'Use the credential the detail names for this route.',
  },
  not_found: {
    meaning: 'No resource with this id exists, or it belongs to another consumer.',
    causes: ['A typo in the id, or an id from another environment', 'A resource deleted since the id was read'],
    action: 'Check the id; list the collection to find the resource.',
  },
  route_not_found: {
    meaning: 'There is no route at this path.',
    causes: ['A path without the /api/v2 prefix', 'A misspelt resource name (paths use kebab-case, e.g. /interaction-events)'],
    action: 'Check the path against the API reference at /docs.',
  },
  method_not_allowed: {
    meaning: 'The path exists but does not take this HTTP method. The Allow header lists those it takes.',
    causes: ['PUT where the route takes PATCH', 'A write method on a read-only collection'],
    action: 'Use one of the methods in the Allow header (also in `allowed_methods`).',
  },
  conflict: {
    meaning: 'The request conflicts with the current state of the resource.',
    causes: ['Creating something whose name (and version) is already taken', 'Rotating a key that is revoked, expired or already rotated', 'Acting on a deactivated consumer'],
    action: 'Read the resource’s current state, then retry with a request that fits it; the detail says what conflicted.',
  },
  idempotency_in_progress: {
    meaning: 'A request with this Idempotency-Key is still being processed.',
    causes: ['A retry sent before the first attempt answered, e.g. after a client timeout'],
    action: 'Wait for the Retry-After interval and send the same request again; it will replay the first answer.',
  },
  payload_too_large: {
    meaning: 'The request body is over 1 MiB.',
    causes: ['Too many records in one batch', 'Large `properties` objects'],
    action: 'Split the request: interaction events take up to 1,000 per batch, each within the size limits.',
  },
  unsupported_media_type: {
    meaning: 'The body is not in the media type this route takes. The Accept-Post header names it.',
    causes: ['A JSON body sent without `Content-Type: application/json`', 'JSON sent to the token endpoints, which take application/x-www-form-urlencoded'],
    action: 'Send the body with the Content-Type the route takes.',
  },
  validation_failed: {
    meaning: 'The request was read, but some fields are missing or invalid. `errors` lists each, with its location and JSON Pointer.',
    causes: ['A required field missing', 'A value of the wrong type, format or length (ids are UUIDs, timestamps RFC 3339)', 'A field the resource does not have'],
    action: 'Fix each field in `errors` and send the request again.',
  },
  invalid_reference: {
    meaning: 'A field refers to a record that does not exist (or that the caller may not see).',
    causes: ['An id of a record not yet created, or created in another environment', 'A typo in a referenced id'],
    action: 'Create the referenced record first, or correct the id; `errors` names the field.',
  },
  idempotency_key_reused: {
    meaning: 'This Idempotency-Key was already used with a different request.',
    causes: ['A key reused for a new request instead of a retry', 'A retry whose body changed'],
    action: 'Use a fresh key for each new request; repeat a key only to retry the identical request.',
  },
  rate_limited: {
    meaning: 'The consumer has sent more requests this minute than its `rate_limit_per_minute`.',
    causes: ['A client without back-off', 'Several processes sharing one consumer’s limit'],
    action: 'Wait for Retry-After seconds; pace requests by the RateLimit and RateLimit-Policy headers.',
  },
  burst_limited: {
    meaning: 'The consumer sent too many requests in a few seconds, beyond its burst allowance.',
    causes: ['Many requests started at once, e.g. an unbounded Promise.all'],
    action: 'Wait for Retry-After seconds and spread requests out, or use the batch endpoints.',
  },
  quota_exceeded: {
    meaning: 'The consumer has used its daily quota (`quota_per_day`). It resets at UTC midnight.',
    causes: ['More traffic than the tier allows', 'Retries in a loop that never succeeds'],
    action: 'Wait until the reset (Retry-After, and `quota_resets_at` at /api/v2/me), or ask an operator for a higher quota.',
  },
  internal_error: {
    meaning: 'The server failed to handle a valid request. Nothing about the request itself is wrong.',
    causes: ['A fault on the server side'],
    action: 'Retry later with back-off; if it persists, report it quoting the `request_id`.',
  },
  service_unavailable: {
    meaning: 'The server is up but cannot serve the request right now.',
    causes: ['The database is unreachable or migrations are pending', 'A feature not configured on this server, such as webhooks without IHF_SECRET_KEY'],
    action: 'Retry later; operators should check /readyz and the detail.',
  },
};
