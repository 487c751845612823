import { API_PREFIX } from '@ihf/contract';
import type { RequestHandler } from 'express';
import type { RequestLogWriter } from '../services/request-log/writer.js';

/** Unmatched paths are logged as sent, capped, so a flood of odd URLs cannot bloat rows. */
const MAX_ENDPOINT_LENGTH = 200;

/**
 * Mounted before routing and authentication, so every /api/v2 response is recorded,
 * 401s, 404s and 429s included. The entry is handed to the batching writer when the
 * response finishes (or the client goes away first, logged as 499): nothing here waits
 * on the database.
 */
export function requestLog(writer: RequestLogWriter, now: () => Date): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith(API_PREFIX)) return next();
    const requestedAt = now();
    const started = performance.now();
    let done = false;
    const record = (aborted: boolean) => {
      if (done) return;
      done = true;
      const auth = req.auth?.kind === 'consumer' ? req.auth : undefined;
      writer.record({
        api_consumer_id: auth?.consumer.id ?? null,
        api_key_id: auth?.key.id ?? null,
        endpoint: req.apiRoute?.path ?? req.path.slice(0, MAX_ENDPOINT_LENGTH),
        method: req.method,
        status_code: aborted ? 499 : res.statusCode,
        latency_ms: Math.round(performance.now() - started),
        request_id: req.requestId,
        requested_at: requestedAt,
      });
    };
    res.once('finish', () => record(false));
    res.once('close', () => record(!res.writableFinished));
    next();
  };
}
