export { createClient } from './client.js';
export type { ClientOptions, ClientFor, IhfClient, RequestOptions, RouteArgs, RouteMethod } from './client.js';
export { ApiPromise } from './api-promise.js';
export type { ResponseInfo, WithResponse } from './api-promise.js';
export type { ClientCredentials } from './auth.js';
export { PagePromise } from './pagination.js';
export type { Page } from './pagination.js';
export type { Hooks, Logger, LogLevel, RequestEvent, ResponseEvent, RetryEvent } from './observe.js';
export { parseRateLimit } from './rate-limit.js';
export type { RateLimit, RateLimitPolicy } from './rate-limit.js';
export { REDACTED } from './redact.js';
export type { RetryPolicy } from './retry.js';
export type { FetchLike } from './transport.js';
export { VERSION } from './version.js';
export {
  AuthenticationError,
  BadRequestError,
  ConflictError,
  errorFromResponse,
  IhfApiError,
  IhfConnectionError,
  IhfError,
  IhfTimeoutError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ValidationError,
} from './errors.js';
export type { FieldError, ProblemDocument } from './errors.js';
export type { Contract, ErrorCode } from '@ihf/contract';
