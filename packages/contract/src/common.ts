import { extendApi } from '@anatine/zod-openapi';
import { initContract } from '@ts-rest/core';
import { datetimeRegex, z } from 'zod';
import { ERROR_STATUS, type ErrorCode } from './errors.js';
import type { Scope } from './scopes.js';

// Annotated so declaration emit (the SDK bundles the contract's types) can name the type.
export const c: ReturnType<typeof initContract> = initContract();

export const Uuid = z.string().uuid();
/**
 * A string PostgreSQL can store: its text type has no U+0000 (it answers 22021), so the
 * character is refused here, where the error names the field.
 */
// eslint-disable-next-line no-control-regex -- U+0000 is the character refused
export const Text = z.string().regex(/^[^\u0000]*$/, 'Must not contain the character U+0000');
/**
 * RFC 3339 timestamp; responses are always UTC with a `Z`. zod's own regex, compiled once:
 * `.datetime()` builds a new RegExp for every value, a cost batch ingest feels.
 */
const RFC3339_SYNTAX = datetimeRegex({ offset: true, local: false, precision: null });

/**
 * The instants a timestamp may name. PostgreSQL refuses years 0000 and 10000 in the
 * form the driver sends, and the driver reads years before 100 back as 19xx or 20xx.
 */
const EARLIEST = Date.parse('0100-01-01T00:00:00Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The syntax, and the instant in range (Date.parse's NaN, an offset past ±23:59, is out).
 * A RegExp, not a refinement: cheaper per value and keeps `date-time` visible to the SDK's
 * sampler; it calls RFC3339_SYNTAX, as super.test takes V8 off its plain-RegExp fast path.
 */
class Rfc3339InRange extends RegExp {
  override test(s: string): boolean {
    if (!RFC3339_SYNTAX.test(s)) return false;
    // A UTC time away from the first and last year is in range without a parse (~300 ns).
    const year = s.slice(0, 4);
    if (s.endsWith('Z') && year > '0100' && year < '9999') return true;
    const t = Date.parse(s);
    return t >= EARLIEST && t <= LATEST;
  }
}
const RFC3339 = new Rfc3339InRange(RFC3339_SYNTAX);
const TIMESTAMP_MESSAGE = 'Must be an RFC 3339 timestamp from 0100-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z';
/** A Timestamp with its own description (`.describe()` would drop the spec's format). */
export const timestamp = (description?: string) =>
  extendApi(z.string().regex(RFC3339, TIMESTAMP_MESSAGE), { format: 'date-time', pattern: undefined, ...(description && { description }) });
export const Timestamp = timestamp();

const ERROR_CODES = Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]];

export const ProblemFieldError = extendApi(
  z.object({
    location: z.enum(['body', 'query', 'path', 'header']),
    pointer: z.string().describe('JSON Pointer (RFC 6901) to the failing field within its location'),
    message: z.string(),
    code: z.string().describe('Machine-readable reason, e.g. invalid_type, too_big'),
  }),
  { title: 'ProblemFieldError' },
);

export const Problem = extendApi(
  z
    .object({
      type: z.string().describe('URI reference identifying the problem type; it dereferences to a page documenting it'),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      instance: z.string().optional().describe('The request path'),
      code: z.enum(ERROR_CODES),
      request_id: z.string(),
      errors: z.array(ProblemFieldError).optional().describe('Each failing field, for validation errors'),
    })
    .passthrough()
    .describe('An RFC 9457 problem document (application/problem+json)'),
  {
    title: 'Problem',
    example: {
      type: '/problems/validation-failed',
      title: 'Validation failed',
      status: 422,
      detail: 'The request has 1 invalid field.',
      instance: '/api/v2/admin/consumers',
      code: 'validation_failed',
      request_id: '5f0c6c1e-2a8b-4c52-9d38-3f3c2b1f6a90',
      errors: [{ location: 'body', pointer: '/name', message: 'Required', code: 'invalid_type' }],
    },
  },
);
export type Problem = z.infer<typeof Problem>;

/** Error responses every route may answer with; declared once for the whole contract. */
export const commonResponses = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  413: Problem,
  415: Problem,
  422: Problem,
  429: Problem,
  500: Problem,
  // PostgreSQL unreachable (with Retry-After), or a route's required setting missing.
  503: Problem,
} as const;

export const PaginationQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('Page size, 1 to 200'),
  cursor: z.string().min(1).max(512).optional().describe('The `next_cursor` of the previous page'),
});

export function listOf<T extends z.ZodTypeAny>(item: T, title: string) {
  return extendApi(
    z.object({
      data: z.array(item),
      next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
    }),
    { title },
  );
}

/** How a route authenticates; read by the server's auth middleware and by the spec generator. */
export type RouteAuth =
  | { kind: 'public' }
  | { kind: 'admin' }
  | { kind: 'consumer'; scopes: readonly Scope[] };

export interface RouteMetadata {
  auth: RouteAuth;
  tag: string;
  /** POST routes that create something and honour `Idempotency-Key`. */
  idempotent?: boolean;
  /** The answer shows a secret once (kept for `Idempotency-Key` replays only sealed). */
  answersSecret?: boolean;
}

export const adminMeta = (tag: string, extra: Partial<RouteMetadata> = {}): RouteMetadata => ({
  auth: { kind: 'admin' },
  tag,
  ...extra,
});
export const consumerMeta = (
  tag: string,
  scopes: readonly Scope[],
  extra: Partial<RouteMetadata> = {},
): RouteMetadata => ({ auth: { kind: 'consumer', scopes }, tag, ...extra });
export const publicMeta = (tag: string): RouteMetadata => ({ auth: { kind: 'public' }, tag });

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe('Makes the create safe to retry: the same key replays the first response for 24 hours'),
});
