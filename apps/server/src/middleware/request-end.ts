import { API_PREFIX } from '@ihf/contract';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../logger.js';
import type { RequestLogWriter } from '../services/request-log/writer.js';

/** Unmatched paths are logged as sent, capped, so a flood of odd URLs cannot bloat rows. */
const MAX_ENDPOINT_LENGTH = 200;
/** Probes every few seconds from machines: an access log line each would bury the requests. */
const QUIET = new Set(['/healthz', '/readyz']);

/** nginx's status for a client that closed the connection before the answer; never sent. */
const CLIENT_CLOSED_REQUEST = 499;

const STARTED = Symbol('requestStarted');
const REQUESTED_AT = Symbol('requestedAt');
type Timed = Response & { [STARTED]: number; [REQUESTED_AT]: Date };

export interface RequestEndDeps {
  /** The request log (`api_request_log`): every /api/v2 request, 401s, 404s and 429s too. */
  writer: RequestLogWriter;
  logger: Logger;
  now: () => Date;
  /** The latency histogram; told only of responses that were sent. */
  observe: (req: Request, status: number, seconds: number) => void;
}

/**
 * Everything recorded about a finished request, from one 'close' listener shared by every
 * response (no closure, child logger or per-request object beyond the entries themselves):
 * the latency metric, the request log row, and the access log line. 'close' follows 'finish'
 * on every response and comes alone when the client left first (then the status is 499, as
it is when the client left mid-body and the error answer was written to no one).
 * Mounted first, so that requests refused by any later step are recorded too.
 */
export function requestEnd(deps: RequestEndDeps): RequestHandler {
  const { writer, now, observe } = deps;
  // The access line carries no headers or bodies: nothing to redact, and redaction is most of a line's cost.
  const logger = deps.logger.child({}, { redact: [] });
  function onClose(this: Timed) {
    const req = this.req as Request;
    // Node resets a request whose connection closed before its response finished: then an
    // answer that "finished" (a 400 to a body cut short) went to no one.
    const reset = (req.errored as NodeJS.ErrnoException | null)?.code === 'ECONNRESET';
    const sent = this.writableFinished && !reset;
    const status = sent ? this.statusCode : CLIENT_CLOSED_REQUEST;
    const elapsedMs = performance.now() - this[STARTED];
    if (sent) observe(req, status, elapsedMs / 1000);
    const route = req.apiRoute?.path;
    if (req.path.startsWith(API_PREFIX)) {
      const auth = req.auth?.kind === 'consumer' ? req.auth : undefined;
      writer.record({
        api_consumer_id: auth ? auth.consumer.id : null,
        api_key_id: auth ? auth.key.id : null,
        endpoint: route ?? req.path.slice(0, MAX_ENDPOINT_LENGTH),
        method: req.method,
        status_code: status,
        latency_ms: Math.round(elapsedMs),
        request_id: req.requestId,
        requested_at: this[REQUESTED_AT],
      });
    }
    if (QUIET.has(req.path) || !logger.isLevelEnabled(status >= 500 ? 'error' : 'info')) return;
    // The access log line: pino-http's field names, without the headers (never needed, costly to redact).
    const line = {
      req: { id: req.requestId, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
      res: { statusCode: status },
      responseTime: Math.round(elapsedMs),
      route,
    };
    if (status >= 500) logger.error(line, 'request errored');
    else logger.info(line, sent ? 'request completed' : 'request aborted');
  }
  return (req, res, next) => {
    const timed = res as Timed;
    timed[STARTED] = performance.now();
    if (req.path.startsWith(API_PREFIX)) timed[REQUESTED_AT] = now();
    res.once('close', onClose);
    next();
  };
}
