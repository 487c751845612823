export { createClient } from './client.js';
export type { ClientOptions, ClientFor, IhfClient, RequestOptions, RouteArgs, RouteMethod } from './client.js';
export type { ClientCredentials } from './auth.js';
export type { Page, PagePromise } from './pagination.js';
export type { RetryPolicy } from './retry.js';
export type { FetchLike } from './transport.js';
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
