import { contract, ERROR_STATUS, ERROR_TITLES, problemTypeFor, type Contract, type ErrorCode, type RouteMetadata } from '@ihf/contract';
import { isAppRoute, type AppRoute, type AppRouter, type ClientInferResponseBody } from '@ts-rest/core';
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { z } from 'zod';
import { sample } from './sample.js';

type SuccessStatus = 200 | 201 | 202 | 204;

/** Dotted names of every route of a router: `'me.get' | 'admin.consumers.list' | …`. */
export type RouteName<T extends AppRouter = Contract, Prefix extends string = ''> = {
  [K in keyof T & string]: T[K] extends AppRoute
    ? `${Prefix}${K}`
    : T[K] extends AppRouter
      ? RouteName<T[K], `${Prefix}${K}.`>
      : never;
}[keyof T & string];

type RouteAt<T, Name extends string> = Name extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? RouteAt<T[Head], Rest>
    : never
  : Name extends keyof T
    ? T[Name]
    : never;

/** The success body of a route, by dotted name. */
export type ResponseOf<Name extends RouteName> =
  RouteAt<Contract, Name> extends infer R extends AppRoute ? ClientInferResponseBody<R, Extract<keyof R['responses'], SuccessStatus>> : never;

export interface ResolverInfo {
  request: Request;
  params: Record<string, string | readonly string[] | undefined>;
  /** The parsed JSON (or form) body, already checked against the route's schema. */
  body: unknown;
}

/** Answers a route: a success body (sent with the route's success status) or any Response (e.g. from {@link problemResponse}). */
export type RouteResolver<Name extends RouteName> = (info: ResolverInfo) => ResponseOf<Name> | Response | Promise<ResponseOf<Name> | Response>;

export type RouteOverrides = { [Name in RouteName]?: RouteResolver<Name> };

export interface HandlerOptions {
  /** The baseUrl given to createClient (default `http://ihf.test`). */
  baseUrl?: string;
  /** Per-route answers; every other route answers its fixture. */
  routes?: RouteOverrides;
  /** Refuse requests without `Authorization: Bearer …` with a 401 problem, as the API does (default true). */
  requireAuth?: boolean;
}

export const DEFAULT_TEST_BASE_URL = 'http://ihf.test';

/** What the handlers' authenticated answers report, as the API does on every authenticated response. */
export const RATE_LIMIT_HEADERS = {
  'ratelimit-policy': '"burst";q=50;w=1, "minute";q=60;w=60, "day";q=10000;w=86400',
  ratelimit: '"burst";r=49;t=1, "minute";r=59;t=60, "day";r=9999;t=43200',
};

/**
 * msw handlers for every route of the contract. Each checks the bearer credential
 * and the request body against the route's schema (answering 401 / 422 problem
 * documents as the server would), then answers the route's fixture or your override.
 */
export function createHandlers(options: HandlerOptions = {}): HttpHandler[] {
  const baseUrl = (options.baseUrl ?? DEFAULT_TEST_BASE_URL).replace(/\/+$/, '');
  const overrides = (options.routes ?? {}) as Record<string, RouteResolver<RouteName> | undefined>;
  const handlers: HttpHandler[] = [];
  for (const [name, route] of routesOf(contract)) {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    handlers.push(
      http[method](baseUrl + route.path, async ({ request, params }) => {
        if (options.requireAuth !== false && !/^Bearer \S+/.test(request.headers.get('authorization') ?? '')) {
          return problemResponse('unauthenticated', 'Missing bearer credential', { headers: { 'www-authenticate': 'Bearer realm="ihf"' } });
        }
        let body: unknown;
        if (route.method !== 'GET' && 'body' in route && isZod(route.body)) {
          body = await readBody(request);
          const parsed = route.body.safeParse(body);
          if (!parsed.success) {
            return problemResponse('validation_failed', `The request has ${parsed.error.issues.length} invalid field(s).`, {
              errors: parsed.error.issues.map((i) => ({ location: 'body', pointer: '/' + i.path.join('/'), message: i.message, code: i.code })),
            });
          }
        }
        const override = overrides[name];
        const answer = override ? await override({ request, params, body }) : fixtureOf(route);
        if (answer instanceof Response) return answer;
        const status = successStatus(route);
        const headers = { 'x-request-id': requestId(), ...((route.metadata as RouteMetadata | undefined)?.auth.kind === 'public' ? {} : RATE_LIMIT_HEADERS) };
        return status === 204 ? new HttpResponse(null, { status, headers }) : HttpResponse.json(answer as Record<string, unknown>, { status, headers });
      }),
    );
  }
  return handlers;
}

/** The fixture a route answers by default: typed, and valid against the route's success schema. */
export function fixture<Name extends RouteName>(name: Name): ResponseOf<Name> {
  const route = routesOf(contract).find(([n]) => n === name)?.[1];
  if (!route) throw new TypeError(`No route named ${name}`);
  return fixtureOf(route) as ResponseOf<Name>;
}

/** A problem document response, as the API sends it (status from the error code table). */
export function problemResponse(
  code: ErrorCode,
  detail: string = ERROR_TITLES[code],
  extra: { errors?: unknown[]; headers?: Record<string, string>; status?: number } = {},
): Response {
  const id = requestId();
  const status = extra.status ?? ERROR_STATUS[code];
  return new HttpResponse(
    JSON.stringify({
      type: problemTypeFor(code),
      title: ERROR_TITLES[code],
      status,
      detail,
      code,
      request_id: id,
      ...(extra.errors ? { errors: extra.errors } : {}),
    }),
    { status, headers: { 'content-type': 'application/problem+json', 'x-request-id': id, ...extra.headers } },
  );
}

function routesOf(router: AppRouter, prefix = ''): Array<[string, AppRoute]> {
  const out: Array<[string, AppRoute]> = [];
  for (const [key, entry] of Object.entries(router)) {
    if (isAppRoute(entry)) out.push([prefix + key, entry]);
    else out.push(...routesOf(entry, `${prefix}${key}.`));
  }
  return out;
}

function successStatus(route: AppRoute): number {
  const status = Object.keys(route.responses).map(Number).find((s) => s >= 200 && s < 300);
  return status ?? 200;
}

function fixtureOf(route: AppRoute): unknown {
  const schema = route.responses[successStatus(route)];
  if (!isZod(schema)) return undefined;
  const value = sample(schema) as Record<string, unknown>;
  // A list fixture is one page with no next page, so iterating it terminates.
  if (value && typeof value === 'object' && 'next_cursor' in value) value.next_cursor = null;
  return value;
}

function isZod(value: unknown): value is z.ZodTypeAny {
  return typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if ((request.headers.get('content-type') ?? '').includes('x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function requestId(): string {
  return globalThis.crypto.randomUUID();
}
