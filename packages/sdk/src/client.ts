import { contract, type Contract, type RouteMetadata } from '@ihf/contract';
import {
  getCompleteUrl,
  isAppRoute,
  type AppRoute,
  type AppRouter,
  type AreAllPropertiesOptional,
  type ClientInferResponseBody,
  type PartialClientInferRequest,
  type Prettify,
} from '@ts-rest/core';
import { ApiPromise } from './api-promise.js';
import { clientCredentials, staticKey, type ClientCredentials, type CredentialSource } from './auth.js';
import { AuthenticationError, IhfTimeoutError } from './errors.js';
import { createObserver, type Hooks, type Logger, type LogLevel } from './observe.js';
import { PagePromise, type Page } from './pagination.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { send, type FetchLike, type HttpRequest, type HttpResponse, type TransportConfig } from './transport.js';
import { clientHeaders } from './version.js';

interface CommonOptions extends Hooks {
  /** Server origin, e.g. `https://api.example.com` (the `/api/v2` prefix is in the contract). */
  baseUrl: string;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * One budget for a whole call: every attempt, backoff and `Retry-After` wait, and the
   * OAuth token fetch (default none). No retry starts once it would end past it.
   */
  totalTimeoutMs?: number;
  /** Retries of network errors, 429 and 5xx (default 2). */
  maxRetries?: number;
  /** Backoff tuning; `maxRetries` above wins over `retry.maxRetries`. */
  retry?: Partial<RetryPolicy>;
  /** Headers sent on every request. */
  headers?: Record<string, string>;
  /** A custom fetch (proxy agents, instrumentation), used for every request, the token requests too; the global fetch by default. */
  fetch?: FetchLike;
  /** Where the client logs (default: nowhere). Credentials are redacted. */
  logger?: Logger;
  /** The least severe level passed to `logger` (default `warn`). */
  logLevel?: LogLevel;
}

export type ClientOptions =
  | (CommonOptions & { apiKey: string })
  | (CommonOptions & ClientCredentials & { apiKey?: never });

/** Per-call options, the second argument of every method. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  totalTimeoutMs?: number;
  maxRetries?: number;
  /** Overrides the automatic one (POSTs get a fresh key per call, reused by its retries). */
  idempotencyKey?: string;
  headers?: Record<string, string>;
}

type SuccessStatus = 200 | 201 | 202 | 203 | 204 | 205 | 206;
type SuccessBody<R extends AppRoute> = ClientInferResponseBody<R, Extract<keyof R['responses'], SuccessStatus>>;

/** ts-rest request keys that this client replaces with {@link RequestOptions}. */
type TsRestOnlyKeys = 'fetchOptions' | 'overrideClientOptions' | 'cache' | 'next' | 'extraHeaders';
export type RouteArgs<R extends AppRoute> = Prettify<Omit<PartialClientInferRequest<R>, TsRestOnlyKeys>>;

type RouteResult<R extends AppRoute> =
  SuccessBody<R> extends Page<unknown> ? PagePromise<SuccessBody<R>> : ApiPromise<SuccessBody<R>>;

export type RouteMethod<R extends AppRoute> =
  AreAllPropertiesOptional<RouteArgs<R>> extends true
    ? (args?: RouteArgs<R>, options?: RequestOptions) => RouteResult<R>
    : (args: RouteArgs<R>, options?: RequestOptions) => RouteResult<R>;

/** The client mirrors the contract: `client.<router>…<action>(args, options)`. */
export type ClientFor<T extends AppRouter> = {
  [K in keyof T]: T[K] extends AppRoute ? RouteMethod<T[K]> : T[K] extends AppRouter ? ClientFor<T[K]> : never;
};

export type IhfClient = ClientFor<Contract>;

interface RawArgs {
  params?: Record<string, string>;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string | undefined>;
}

type Result = { data: unknown; http: HttpResponse };

/**
 * A typed client for the whole API. Every route of the contract, admin included,
 * becomes a method: it resolves to the response body or throws an IhfApiError subclass.
 */
export function createClient(options: ClientOptions): IhfClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const transport: TransportConfig = {
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry, ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}) },
    timeoutMs: options.timeoutMs ?? 30_000,
    observer: createObserver(options, options.logger, options.logLevel),
  };
  const defaultHeaders = { ...clientHeaders(), ...options.headers };
  const credentials: CredentialSource =
    typeof options.apiKey === 'string'
      ? staticKey(options.apiKey)
      : clientCredentials(baseUrl, options as ClientCredentials, transport, defaultHeaders);

  const call = async (operation: string, route: AppRoute, args: RawArgs, callOptions: RequestOptions): Promise<Result> => {
    const total = callOptions.totalTimeoutMs ?? options.totalTimeoutMs;
    const sendOptions = { ...callOptions, deadline: total === undefined ? undefined : Date.now() + total };
    const request = prepare(baseUrl, operation, route, args, defaultHeaders, callOptions);
    // One call may send twice: a 401 to an OAuth token that expired under us earns one
    // retry with a fresh token. Static keys are never retried on 401.
    for (let refreshed = false; ; refreshed = true) {
      const bearer = await beforeDeadline(credentials.bearer(callOptions.signal), sendOptions.deadline);
      request.headers.authorization = `Bearer ${bearer}`;
      try {
        const http = await send(transport, request, sendOptions);
        return { data: http.body, http };
      } catch (error) {
        if (!refreshed && error instanceof AuthenticationError && credentials.invalidate(bearer)) continue;
        throw error;
      }
    }
  };
  return build(contract, [], call) as IhfClient;
}

type Invoke = (operation: string, route: AppRoute, args: RawArgs, options: RequestOptions) => Promise<Result>;

/** Walks the contract so routes added to it become methods with no change here. */
function build(router: AppRouter, path: string[], call: Invoke): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(router)) {
    if (!isAppRoute(entry)) {
      node[key] = build(entry, [...path, key], call);
      continue;
    }
    const operation = [...path, key].join('.');
    node[key] = isListRoute(entry)
      ? (args: RawArgs = {}, options: RequestOptions = {}) =>
          new PagePromise(
            (cursor) => call(operation, entry, { ...args, query: { ...args.query, cursor } }, options) as Promise<{ data: Page<unknown>; http: HttpResponse }>,
            args.query?.cursor as string | undefined,
          )
      : (args: RawArgs = {}, options: RequestOptions = {}) => new ApiPromise(call(operation, entry, args, options));
  }
  return node;
}

/** A list route takes a `cursor` query and answers `{ data, next_cursor }`. */
export function isListRoute(route: AppRoute): boolean {
  if (route.method !== 'GET') return false;
  const query = route.query as { shape?: Record<string, unknown> } | null | undefined;
  const ok = route.responses[200] as { shape?: Record<string, unknown> } | undefined;
  return Boolean(query?.shape && 'cursor' in query.shape && ok?.shape && 'data' in ok.shape && 'next_cursor' in ok.shape);
}

/** Waiting for a credential (an OAuth token fetch) counts against the call's deadline too. */
function beforeDeadline<T>(promise: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IhfTimeoutError('The call’s deadline (totalTimeoutMs) passed while waiting for an access token')), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function prepare(
  baseUrl: string,
  operation: string,
  route: AppRoute,
  args: RawArgs,
  defaultHeaders: Record<string, string>,
  options: RequestOptions,
): HttpRequest {
  // Lower-cased, so `Idempotency-Key` given here replaces the automatic key instead of
  // going out beside it as one comma-joined value (and likewise for any other header).
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const source of [defaultHeaders, args.headers, options.headers]) {
    for (const [name, value] of Object.entries(source ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
  }
  const request: HttpRequest = {
    method: route.method,
    url: getCompleteUrl(args.query, baseUrl, encodeParams(args.params), route, false),
    headers,
    // A POST's server ignores its Idempotency-Key unless the route says otherwise, and
    // resending it could create twice (a second API key, a second secret rotation).
    idempotent: route.method !== 'POST' || (route.metadata as RouteMetadata | undefined)?.idempotent === true,
    operation,
  };
  if (route.method === 'POST') {
    headers['idempotency-key'] = options.idempotencyKey ?? headers['idempotency-key'] ?? newIdempotencyKey();
  }
  if (route.method !== 'GET' && args.body !== undefined && args.body !== null) {
    const contentType = 'contentType' in route ? route.contentType : undefined;
    if (contentType === 'application/x-www-form-urlencoded') {
      request.body =
        typeof args.body === 'string' ? args.body : new URLSearchParams(args.body as Record<string, string>);
      headers['content-type'] = contentType;
    } else if (contentType === 'multipart/form-data') {
      request.body = args.body as FormData;
    } else {
      request.body = JSON.stringify(args.body);
      headers['content-type'] = 'application/json';
    }
  }
  return request;
}

/** ts-rest inserts path params verbatim; an id holding `/` or `?` must not reach another route. */
function encodeParams(params: Record<string, string> | undefined): Record<string, string> {
  const encoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(params ?? {})) encoded[name] = encodeURIComponent(String(value));
  return encoded;
}

function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}
