import type { ErrorCode } from '@ihf/contract';
import { parseRateLimit, type RateLimit } from './rate-limit.js';

/** One failing field of a validation error, as the problem document lists it. */
export interface FieldError {
  location: 'body' | 'query' | 'path' | 'header';
  pointer: string;
  message: string;
  code: string;
}

/** An RFC 9457 problem document as the API writes it (unknown members are kept). */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: ErrorCode | (string & {});
  request_id: string;
  errors?: FieldError[];
  [member: string]: unknown;
}

/** Base class of every error the SDK throws, so `catch (e) { if (e instanceof IhfError) … }` is enough. */
export class IhfError extends Error {
  override name = 'IhfError';
}

/** The server answered with an error status. Built by {@link errorFromResponse}; switch on `code`, not on `message`. */
export class IhfApiError extends IhfError {
  override name = 'IhfApiError';
  readonly status: number;
  /** The closed error code of the problem document (`validation_failed`, `rate_limited`, …); `undefined` for a non-problem body (e.g. from a proxy). */
  readonly code: ErrorCode | (string & {}) | undefined;
  /** The problem `type` URI. */
  readonly type: string | undefined;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  /** The request id (problem `request_id`, else the `X-Request-Id` header): quote it to support. */
  readonly requestId: string | undefined;
  /** Each failing field, for validation errors. */
  readonly errors: FieldError[];
  /** The whole problem document, when the body was one. */
  readonly problem: ProblemDocument | undefined;
  readonly headers: Headers;

  constructor(status: number, body: unknown, headers: Headers) {
    const problem = asProblem(body);
    const oauth = asOAuthError(body);
    const detail = problem?.detail ?? oauth?.error_description;
    super(`${status} ${problem?.title ?? oauth?.error ?? 'HTTP error'}${detail ? `: ${detail}` : ''}`);
    this.status = status;
    this.problem = problem;
    this.code = problem?.code ?? oauth?.error;
    this.type = problem?.type;
    this.title = problem?.title;
    this.detail = detail;
    this.requestId = problem?.request_id ?? headers.get('x-request-id') ?? undefined;
    this.errors = problem?.errors ?? [];
    this.headers = headers;
  }

  /** The caller's rate-limit state as this response reported it (`RateLimit` / `RateLimit-Policy`). */
  get rateLimit(): RateLimit | undefined {
    return parseRateLimit(this.headers);
  }
}

export class BadRequestError extends IhfApiError {
  override name = 'BadRequestError';
}
/** 401: missing, unknown, expired or revoked credential. */
export class AuthenticationError extends IhfApiError {
  override name = 'AuthenticationError';
}
/** 403: the credential lacks a scope (`code: 'insufficient_scope'`) or the action is forbidden. */
export class PermissionDeniedError extends IhfApiError {
  override name = 'PermissionDeniedError';
}
export class NotFoundError extends IhfApiError {
  override name = 'NotFoundError';
}
/** 409; `idempotency_in_progress` only once `retry.maxInProgressWaitMs` has passed without the first request's answer. */
export class ConflictError extends IhfApiError {
  override name = 'ConflictError';
}
/** 422: `errors` lists each failing field. */
export class ValidationError extends IhfApiError {
  override name = 'ValidationError';
}
/** 429: per-minute limit, burst limit or daily quota; `retryAfterSeconds` says when to come back. */
export class RateLimitError extends IhfApiError {
  override name = 'RateLimitError';
  get retryAfterSeconds(): number | undefined {
    const ms = parseRetryAfter(this.headers.get('retry-after'), Date.now());
    return ms === undefined ? undefined : Math.ceil(ms / 1000);
  }
}
/** 5xx. Thrown only after the retries are spent. */
export class InternalServerError extends IhfApiError {
  override name = 'InternalServerError';
}

/** No response at all (DNS, refused connection, reset), after the retries are spent. */
export class IhfConnectionError extends IhfError {
  override name = 'IhfConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The per-request timeout elapsed, on every attempt. */
export class IhfTimeoutError extends IhfConnectionError {
  override name = 'IhfTimeoutError';
}

type ApiErrorClass = new (status: number, body: unknown, headers: Headers) => IhfApiError;

const BY_STATUS: Record<number, ApiErrorClass> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitError,
};

/** The one factory that turns an error response into the matching {@link IhfApiError} subclass. */
export function errorFromResponse(status: number, body: unknown, headers: Headers): IhfApiError {
  const Class = BY_STATUS[status] ?? (status >= 500 ? InternalServerError : IhfApiError);
  return new Class(status, body, headers);
}

function asProblem(body: unknown): ProblemDocument | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const p = body as Record<string, unknown>;
  return typeof p.status === 'number' && typeof p.title === 'string' && typeof p.type === 'string'
    ? (p as ProblemDocument)
    : undefined;
}

/** RFC 6749 §5.2 errors, as the token endpoint answers them. */
function asOAuthError(body: unknown): { error: string; error_description?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const e = body as Record<string, unknown>;
  if (typeof e.error !== 'string') return undefined;
  return { error: e.error, error_description: typeof e.error_description === 'string' ? e.error_description : undefined };
}

/** `Retry-After` (delta-seconds or HTTP-date, RFC 9110 §10.2.3) in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
