import type { AppRoute, AppRouter } from '@ts-rest/core';
import { checkZodSchema, isAppRoute, isAppRouteNoBody, isAppRouteOtherResponse, TsRestResponseError } from '@ts-rest/core';
import { RequestValidationError } from '@ts-rest/express';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import typeis from 'type-is';
import { Stream } from 'node:stream';
import type { Authenticator } from '../services/auth.js';
import type { TrafficLimiter } from '../services/limits/limiter.js';
import type { PolicyName } from '../services/limits/policy.js';
import { ApiError } from '../errors.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../lib/json-depth.js';
import { authorize } from '../middleware/auth.js';
import { validationError } from '../middleware/problem.js';
import { applyLimits } from '../middleware/rate-limit.js';
import { bodyTypeError, resolveRoute } from '../middleware/routing.js';
import type { RouteTable } from '../lib/route-table.js';
import type { ContractImplementation } from './index.js';

/** What a route's handler is called with and answers: ts-rest's server contract. */
type Handler = (input: Record<string, unknown>) => Promise<{ status: number; body: unknown }>;

export const MAX_BODY_BYTES = 1024 * 1024;

export interface DispatchDeps {
  table: RouteTable;
  contract: AppRouter;
  implementation: ContractImplementation;
  authenticator: Authenticator;
  limiter: TrafficLimiter;
  onRefused: (limit: PolicyName) => void;
  /** Idempotency-Key: false when it answered the request itself (a replay). */
  idempotency: (req: Request, res: Response) => Promise<boolean>;
}

/** Each contract route's handler, found by walking the contract and its implementation side by side. */
function handlersOf(contract: AppRouter, implementation: unknown, into = new Map<AppRoute, Handler>()): Map<AppRoute, Handler> {
  for (const [key, node] of Object.entries(contract)) {
    const impl = (implementation as Record<string, unknown>)[key];
    if (isAppRoute(node)) {
      const handler = typeof impl === 'function' ? impl : (impl as { handler?: unknown } | undefined)?.handler;
      if (typeof handler !== 'function') throw new Error(`no handler for ${node.method} ${node.path}`);
      into.set(node, handler as Handler);
    } else {
      handlersOf(node, impl, into);
    }
  }
  return into;
}

const parseJson = express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] });
const parseForm = express.urlencoded({ limit: MAX_BODY_BYTES, extended: false });
const run = (parser: RequestHandler, req: Request, res: Response) =>
  new Promise<void>((resolve, reject) => void parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

/**
 * The whole contract behind one middleware, in the order its steps must run: resolve the route
 * (404, 405), authenticate and authorize (401, 403), count against the limits (429), check the
 * body's media type (415), parse it, honour Idempotency-Key, validate (422), run the handler and
 * answer. One table lookup replaces a route match per endpoint, and no per-request closures or
 * middleware hops are made. Validation and the answer are ts-rest's (its express adapter's
 * steps, with its own schema checks). Errors go to the problem handler.
 */
export function dispatchContract(deps: DispatchDeps): RequestHandler {
  const handlers = handlersOf(deps.contract, deps.implementation);
  for (const entry of deps.table.entries) {
    if (!handlers.has(entry.route)) throw new Error(`no handler for ${entry.method} ${entry.path}`);
  }

  async function serve(req: Request, res: Response, next: NextFunction): Promise<void> {
    const { entry, params } = resolveRoute(deps.table, req);
    req.apiRoute = entry;
    req.params = params;
    try {
      await authorize(deps.authenticator, req);
    } catch (err) {
      // A 403 was made by a known consumer: it counts, and a limit hit takes precedence.
      return next((await applyLimits(deps.limiter, req, res, deps.onRefused)) ?? err);
    }
    const refused = await applyLimits(deps.limiter, req, res, deps.onRefused);
    if (refused) return next(refused);
    const wrongType = bodyTypeError(req, entry);
    if (wrongType) return next(wrongType);
    if (typeis.hasBody(req)) {
      await run(parseJson, req, res);
      await run(parseForm, req, res);
      if (nestsDeeperThan(req.body)) return next(new ApiError('bad_request', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`));
    }
    if (!(await deps.idempotency(req, res))) return;
    await answer(req, res, entry.route, handlers.get(entry.route)!);
  }

  return (req, res, next) => {
    serve(req, res, next).catch(next);
  };
}

/** ts-rest's request validation and answer (as its express adapter does them, without response validation). */
async function answer(req: Request, res: Response, route: AppRoute, handler: Handler): Promise<void> {
  const paramsResult = checkZodSchema(req.params, route.pathParams, { passThroughExtraKeys: true });
  const headersResult = checkZodSchema(req.headers, route.headers, { passThroughExtraKeys: true });
  const queryResult = checkZodSchema(req.query, route.query);
  const bodyResult = checkZodSchema(req.body, 'body' in route ? route.body : null);
  if (!paramsResult.success || !headersResult.success || !queryResult.success || !bodyResult.success) {
    throw validationError(
      new RequestValidationError(
        paramsResult.success ? null : paramsResult.error,
        headersResult.success ? null : headersResult.error,
        queryResult.success ? null : queryResult.error,
        bodyResult.success ? null : bodyResult.error,
      ),
    );
  }
  let result: { status: number; body: unknown };
  try {
    result = await handler({
      params: paramsResult.data,
      body: bodyResult.data,
      query: queryResult.data,
      headers: headersResult.data,
      req,
      res,
    });
  } catch (err) {
    if (!(err instanceof TsRestResponseError)) throw err;
    result = { status: err.statusCode, body: err.body };
  }
  const status = Number(result.status);
  if (result.body instanceof Stream) {
    result.body.pipe(res.status(status));
    return;
  }
  // An undeclared status is answered as JSON, as ts-rest does.
  const responseType = route.responses[status] as Parameters<typeof isAppRouteNoBody>[0];
  if (isAppRouteNoBody(responseType)) {
    res.status(status).end();
  } else if (isAppRouteOtherResponse(responseType)) {
    res.setHeader('content-type', responseType.contentType);
    res.status(status).send(result.body);
  } else {
    res.status(status).json(result.body);
  }
}
