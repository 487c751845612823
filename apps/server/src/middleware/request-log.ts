import { API_PREFIX } from '@ihf/contract';
import type { Request, RequestHandler, Response } from 'express';
import type { RequestLogWriter } from '../services/request-log/writer.js';

/** Unmatched paths are logged as sent, capped, so a flood of odd URLs cannot bloat rows. */
const MAX_ENDPOINT_LENGTH = 200;

/** When the request came in, kept on the response for the one listener below. */
const STARTED = Symbol('requestLogStarted');
const REQUESTED_AT = Symbol('requestLogRequestedAt');
type Timed = Response & { [STARTED]: number; [REQUESTED_AT]: Date };

/**
 * Mounted before routing and authentication, so 401s, 404s and 429s are recorded too. The
 * entry goes to the batching writer when the response closes (499 if the client left first).
 */
export function requestLog(writer: RequestLogWriter, now: () => Date): RequestHandler {
  function onClose(this: Timed) {
    const req = this.req as Request;
    const auth = req.auth?.kind === 'consumer' ? req.auth : undefined;
    writer.record({
      api_consumer_id: auth ? auth.consumer.id : null,
      api_key_id: auth ? auth.key.id : null,
      endpoint: req.apiRoute?.path ?? req.path.slice(0, MAX_ENDPOINT_LENGTH),
      method: req.method,
      status_code: this.writableFinished ? this.statusCode : 499,
      latency_ms: Math.round(performance.now() - this[STARTED]),
      request_id: req.requestId,
      requested_at: this[REQUESTED_AT],
    });
  }
  return (req, res, next) => {
    if (!req.path.startsWith(API_PREFIX)) return next();
    const timed = res as Timed;
    timed[REQUESTED_AT] = now();
    timed[STARTED] = performance.now();
    // 'close' follows 'finish' on every response, and comes alone when the client left first.
    res.once('close', onClose);
    next();
  };
}
