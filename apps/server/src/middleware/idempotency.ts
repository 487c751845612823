import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import { stringify as canonicalJson } from 'safe-stable-stringify';
import type { IdempotencyRepository } from '../db/repositories/idempotency.js';
import { ApiError } from '../errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Logger } from '../logger.js';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** A first request still "in progress" after this long is presumed dead and may be retried. */
const LOCK_SECONDS = 60;

/**
 * Only successes are kept and replayed. A refused request (validation, a missing
 * reference, a limit, a server error) created nothing, so its key is released and a
 * corrected retry may use it.
 */
const replayable = (status: number) => status < 400;

/**
 * What identifies "the same request": method, path and body. The body is hashed in a canonical
 * form (object keys sorted, at every depth; array order kept, as it is meaningful), so a client
 * that serialises the same JSON with its keys in another order (another SDK, a retry that rebuilt
 * the object) is still recognised as sending the same request rather than told 422.
 */
function requestHash(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.path}\n`)
    .update(req.body === undefined ? '' : (canonicalJson(req.body) ?? ''))
    .digest('hex');
}

/**
 * `Idempotency-Key` for every route whose contract metadata says `idempotent: true`.
 * Keys are per caller. The first request runs and its successful answer is stored; a retry
 * with the same key and the same request gets that answer again (`Idempotent-Replayed: true`) for
 * 24 hours; the same key with a different request is 422; while the first still runs, 409.
 * Runs after authentication and body parsing, before the handler; answers false when it
 * answered the request itself (a replay), true when the handler is to run.
 */
export function idempotency(repo: IdempotencyRepository, secretBox: SecretBox | null, logger: Logger) {
  return async (req: Request, res: Response): Promise<boolean> => {
    if (!req.apiRoute?.meta.idempotent) return true;
    const key = req.get('idempotency-key');
    if (key === undefined) return true;
    if (key.length < 1 || key.length > 255) {
      throw new ApiError('validation_failed', 'Idempotency-Key must be 1 to 255 characters.', {
        errors: [{ location: 'header', pointer: '/idempotency-key', message: 'Must be 1 to 255 characters', code: 'too_big' }],
      });
    }
    const owner = req.auth?.kind === 'consumer' ? req.auth.consumer.id : 'operator';
    const hash = requestHash(req);

    // An answer that shows a secret once (a webhook signing secret) is kept sealed, as the
    // secret itself is: the replay store must not become a copy of it in the clear.
    const sealed = req.apiRoute.meta.answersSecret === true;
    // Without IHF_SECRET_KEY (required in production, generated locally) nothing can be sealed:
    // webhook routes answer 503 themselves, key creates run without replay.
    if (sealed && !secretBox) return true;
    const got = await repo.acquire(owner, key, hash, { ttlSeconds: IDEMPOTENCY_TTL_SECONDS, lockSeconds: LOCK_SECONDS });
    if (!got.acquired) {
      const { row } = got;
      if (row.request_hash !== hash) {
        throw new ApiError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request.');
      }
      if (row.state === 'in_progress') {
        throw new ApiError('idempotency_in_progress', 'A request with this Idempotency-Key is still being processed; retry shortly.', {
          headers: { 'Retry-After': '1' },
        });
      }
      res.status(row.response_status ?? 200);
      res.set('Idempotent-Replayed', 'true');
      if (row.response_content_type) res.type(row.response_content_type);
      const stored = row.response_body ?? '';
      res.send(sealed ? secretBox!.open(stored) : stored);
      return false;
    }

    // Store the answer before it goes out, so a retry right after it sees it completed.
    // Only the handler's own answer settles the key, never the client leaving: the handler
    // still runs then, and a retry must get 409 until it is done. LOCK_SECONDS covers a
    // handler that never answers.
    let handled = false;
    const logFailure = (err: unknown) => logger.error({ err, requestId: req.requestId }, 'idempotency key bookkeeping failed');
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      // res.json(obj) comes back here with the serialised string; wait for that.
      if (handled || (body !== null && typeof body === 'object' && !Buffer.isBuffer(body))) return send(body);
      handled = true;
      const text = body === undefined ? '' : Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
      const status = res.statusCode;
      const stored = replayable(status)
        ? repo.complete(owner, key, status, sealed ? secretBox!.seal(text) : text, res.get('content-type') ?? null)
        : repo.release(owner, key);
      stored.catch(logFailure).finally(() => send(body));
      return res;
    };
    // An answer that bypasses res.send (no body, a stream) has nothing to replay.
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    res.end = ((...args: unknown[]) => {
      if (!handled) {
        handled = true;
        repo.release(owner, key).catch(logFailure);
      }
      return end(...args);
    }) as typeof res.end;
    return true;
  };
}
