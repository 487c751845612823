import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { OAuthError, problemTypeFor, type Problem } from '@ihf/contract';
import type { RequestValidationError } from '@ts-rest/express';
import type { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/availability.js';
import { ApiError, type FieldError } from '../errors.js';
import { oauthError } from '../services/oauth/errors.js';
import { databaseUnavailable } from './database-gate.js';

/**
 * A route that declares its 400 as an RFC 6749 §5.2 error (the token endpoints) answers every
 * 400 in that form, also those raised before its handler (an unreadable body).
 */
function inDeclaredForm(req: Request, err: ApiError): ApiError {
  const declared = req.apiRoute?.route.responses[err.status];
  if (declared !== OAuthError || err.status !== 400 || err.extra.members?.error) return err;
  return oauthError('invalid_request', err.detail);
}

const toPointer = (path: (string | number)[]) =>
  '/' + path.map((p) => String(p).replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

function fieldErrors(location: FieldError['location'], err: ZodError | null): FieldError[] {
  return (err?.issues ?? []).flatMap((issue): FieldError[] => {
    // An unknown member is reported at its own pointer, one entry per member.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        location,
        pointer: toPointer([...issue.path, key]),
        message: `Unknown field '${key}'`,
        code: issue.code,
      }));
    }
    return [{ location, pointer: issue.path.length ? toPointer(issue.path) : '', message: issue.message, code: issue.code }];
  });
}

/** The one mapping from ts-rest's request validation failure to a 422 listing each field. */
export function validationError(err: RequestValidationError): ApiError {
  const errors = [
    ...fieldErrors('path', err.pathParams),
    ...fieldErrors('header', err.headers),
    ...fieldErrors('query', err.query),
    ...fieldErrors('body', err.body),
  ];
  const n = errors.length;
  return new ApiError('validation_failed', `The request has ${n} invalid field${n === 1 ? '' : 's'}.`, { errors });
}

interface HttpError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

/** Turns errors thrown by express and body-parser into ApiErrors; anything else is a 500. */
function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  const e = err as HttpError;
  switch (e?.type) {
    case 'entity.too.large':
      return new ApiError('payload_too_large', 'The request body is larger than 1 MiB.');
    case 'entity.parse.failed':
      return new ApiError('malformed_json', 'The request body is not valid JSON.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('unsupported_media_type', 'The request body’s charset or encoding is not supported.');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ApiError('bad_request', 'The request body could not be read.');
  }
  const status = e?.status ?? e?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError('bad_request', 'The request could not be understood.');
  }
  return null;
}

export function problemDocument(req: Request, err: ApiError): Problem {
  return {
    type: problemTypeFor(err.code, (req.app.locals as { problemTypeBase?: string }).problemTypeBase),
    title: err.title,
    status: err.status,
    detail: err.detail,
    instance: req.originalUrl.split('?')[0],
    code: err.code,
    request_id: req.requestId,
    ...(err.extra.errors ? { errors: err.extra.errors } : {}),
    ...err.extra.members,
  };
}

export function sendProblem(req: Request, res: Response, err: ApiError): void {
  if (err.extra.headers) res.set(err.extra.headers);
  res
    .status(err.status)
    .type(err.extra.contentType ?? 'application/problem+json')
    .send(JSON.stringify(problemDocument(req, err)));
}

/**
 * SQLSTATEs of a value PostgreSQL cannot take: U+0000 in text (22021) or jsonb (22P05), a
 * date or time out of its range or form (22007, 22008, 22009). Only client input reaches
 * the database that way, so they are a 422 even where validation let one through.
 */
const PG_UNSTORABLE_VALUE = new Set(['22021', '22P05', '22007', '22008', '22009']);

function unstorableValue(err: unknown): ApiError | null {
  if (!(err instanceof postgres.PostgresError) || !PG_UNSTORABLE_VALUE.has(err.code)) return null;
  return new ApiError(
    'validation_failed',
    'The request holds a value the database cannot store, such as the character U+0000 or a date outside years 1 to 9999.',
  );
}

/**
 * Mounted last: every error becomes an RFC 9457 problem document; no stack traces leave.
 * PostgreSQL being away is a 503 with Retry-After, told to the gate so later requests fail fast.
 */
export function problemHandler(logger: Logger, onDatabaseUnavailable?: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    let apiError = toApiError(err);
    if (!apiError && isDatabaseUnavailable(err)) {
      onDatabaseUnavailable?.(err);
      apiError = databaseUnavailable();
    }
    if (!apiError) {
      apiError = unstorableValue(err);
      // Validation should have named the field; the log says which one it missed.
      if (apiError) logger.warn({ err, requestId: req.requestId }, 'database refused a value validation let through');
    }
    if (!apiError) {
      logger.error({ err, requestId: req.requestId }, 'unhandled error');
      apiError = new ApiError('internal_error', 'Something went wrong on our side. Quote the request id if you report it.');
    }
    sendProblem(req, res, inDeclaredForm(req, apiError));
  };
}
