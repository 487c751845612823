import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { Request, RequestHandler, Response } from 'express';
import { routeOf } from './route.js';

const SPAN = Symbol('requestSpan');
/** Probes and scrapes, every few seconds from machines: spans of them would only bury the requests. */
const UNTRACED = new Set(['/healthz', '/readyz', '/metrics']);
type Traced = Response & { [SPAN]: Span };

function onClose(this: Traced) {
  const span = this[SPAN];
  const req = this.req as Request;
  const route = routeOf(req);
  // Named by the route template, never the path: `GET /api/v2/annotations/:id`.
  if (route !== 'unmatched') {
    span.updateName(`${req.method} ${route}`);
    span.setAttribute(ATTR_HTTP_ROUTE, route);
  }
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, this.statusCode);
  if (!this.writableFinished) span.setAttribute('ihf.client_closed', true);
  if (req.auth?.kind === 'consumer') span.setAttribute('ihf.consumer_id', req.auth.consumer.id);
  if (this.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/**
 * A SERVER span per request, continuing the caller's trace when it sent a W3C traceparent.
 * The span is made current for everything the request runs (its database spans are its
 * children), including listeners added later to the request and response streams (body
 * parsing), which would otherwise run in the context of the socket. Mounted only with
 * tracing on.
 */
export function traceRequests(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    if (UNTRACED.has(req.path)) return next();
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      req.method,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_URL_PATH]: req.path,
          [ATTR_URL_SCHEME]: req.protocol,
          'ihf.request_id': req.requestId,
        },
      },
      parent,
    );
    const userAgent = req.get('user-agent');
    if (userAgent) span.setAttribute(ATTR_USER_AGENT_ORIGINAL, userAgent);
    const active = trace.setSpan(parent, span);
    context.bind(active, req);
    context.bind(active, res);
    (res as Traced)[SPAN] = span;
    res.once('close', onClose);
    context.with(active, next);
  };
}
