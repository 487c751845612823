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
import { clientCredentials, staticKey, type ClientCredentials, type CredentialSource } from './auth.js';
import { AuthenticationError } from './errors.js';
import { pagePromise, type Page, type PagePromise } from './pagination.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { send, type FetchLike, type HttpRequest, type TransportConfig } from './transport.js';

interface CommonOptions {
  /** Server origin, e.g. `https://api.example.com` (the `/api/v2` prefix is in the contract). */
  baseUrl: string;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Retries of network errors, 429 and 5xx (default 2). */
  maxRetries?: number;
  /** Backoff tuning; `maxRetries` above wins over `retry.maxRetries`. */
  retry?: Partial<RetryPolicy>;
  /** Headers sent on every request. */
  headers?: Record<string, string>;
  /** A custom fetch (proxy agents, instrumentation); the global fetch by default. */
  fetch?: FetchLike;
}

export type ClientOptions =
  | (CommonOptions & { apiKey: string })
  | (CommonOptions & ClientCredentials & { apiKey?: never });

/** Per-call options, the second argument of every method. */
export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
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
  SuccessBody<R> extends Page<unknown> ? PagePromise<SuccessBody<R>> : Promise<SuccessBody<R>>;

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
  };
  const credentials: CredentialSource =
    typeof options.apiKey === 'string'
      ? staticKey(options.apiKey)
      : clientCredentials(baseUrl, options as ClientCredentials, transport);

  const call = async (route: AppRoute, args: RawArgs, callOptions: RequestOptions): Promise<unknown> => {
    const request = prepare(baseUrl, route, args, options.headers, callOptions);
    // One call may send twice: a 401 to an OAuth token that expired under us earns one
    // retry with a fresh token. Static keys are never retried on 401.
    for (let refreshed = false; ; refreshed = true) {
      const bearer = await credentials.bearer(callOptions.signal);
      request.headers.authorization = `Bearer ${bearer}`;
      try {
        const response = await send(transport, request, callOptions);
        return response.body;
      } catch (error) {
        if (!refreshed && error instanceof AuthenticationError && credentials.invalidate(bearer)) continue;
        throw error;
      }
    }
  };
  return build(contract, call) as IhfClient;
}

type Invoke = (route: AppRoute, args: RawArgs, options: RequestOptions) => Promise<unknown>;

/** Walks the contract so routes added to it become methods with no change here. */
function build(router: AppRouter, call: Invoke): Record<string, unknown> {
  const node: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(router)) {
    if (isAppRoute(entry)) {
      node[key] = isListRoute(entry)
        ? (args: RawArgs = {}, options: RequestOptions = {}) =>
            pagePromise(
              (cursor) => call(entry, { ...args, query: { ...args.query, cursor } }, options) as Promise<Page<unknown>>,
              args.query?.cursor as string | undefined,
            )
        : (args: RawArgs = {}, options: RequestOptions = {}) => call(entry, args, options);
    } else {
      node[key] = build(entry, call);
    }
  }
  return node;
}

/** A list route takes a `cursor` query and answers `{ data, next_cursor }`. */
function isListRoute(route: AppRoute): boolean {
  if (route.method !== 'GET') return false;
  const query = route.query as { shape?: Record<string, unknown> } | null | undefined;
  const ok = route.responses[200] as { shape?: Record<string, unknown> } | undefined;
  return Boolean(query?.shape && 'cursor' in query.shape && ok?.shape && 'data' in ok.shape && 'next_cursor' in ok.shape);
}

function prepare(
  baseUrl: string,
  route: AppRoute,
  args: RawArgs,
  defaultHeaders: Record<string, string> | undefined,
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
