import { API_PREFIX } from '@ihf/contract';
import type { RequestHandler } from 'express';
import type { DatabaseGate } from '../db/availability.js';
import { ApiError } from '../errors.js';

/** What a client is told to wait: the gate probes PostgreSQL four times a second. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

export function databaseUnavailable(detail = 'The database is not reachable; retry shortly.'): ApiError {
  return new ApiError('service_unavailable', detail, {
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    members: { retry_after_seconds: DATABASE_RETRY_AFTER_SECONDS },
  });
}

/**
 * Sends API requests to `serveApi`, or while PostgreSQL is away answers them 503 at once
 * instead of letting them queue for a connection; other paths go on to the next router.
 */
export function databaseGate(gate: DatabaseGate, serveApi: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith(API_PREFIX)) return next();
    if (!gate.available) return next(databaseUnavailable());
    serveApi(req, res, next);
  };
}
