import type { Request, Response } from 'express';
import { ApiError } from '../errors.js';
import { LIMIT_ERROR_CODE, rateLimitHeader } from '../services/limits/headers.js';
import type { TrafficLimiter } from '../services/limits/limiter.js';
import type { PolicyName } from '../services/limits/policy.js';

/** Told of each refusal, by the limit that refused (the metrics). */
type OnRefused = (limit: PolicyName) => void;

const DESCRIBE = {
  burst: (q: number, w: number) => `more than ${q} requests within ${w} s (burst rule)`,
  minute: (q: number) => `more than ${q} requests per minute`,
  day: (q: number) => `the daily quota of ${q} requests, which resets at 00:00 UTC`,
};

/**
 * Counts a consumer's request against its burst, per-minute and daily limits and sets
 * RateLimit-Policy and RateLimit; answers the 429 to send, or null. Runs right after
 * authentication, and also after an authorization refusal (403): that request was made by
 * a known consumer, so it counts and carries the headers too, and a limit hit takes
 * precedence over the 403. The operator token is not a consumer and is not limited.
 */
export async function applyLimits(limiter: TrafficLimiter, req: Request, res: Response, onRefused?: OnRefused): Promise<ApiError | null> {
  const auth = req.auth;
  if (auth?.kind !== 'consumer' || res.locals.rateLimited) return null;
  res.locals.rateLimited = true;
  const decision = await limiter.check(auth.consumer);
  if (decision.states.length > 0) {
    res.setHeader('RateLimit-Policy', decision.policyHeader);
    res.setHeader('RateLimit', rateLimitHeader(decision.states));
  }
  const refused = decision.refusedBy;
  if (!refused) return null;
  const { name, quota, window } = refused.policy;
  onRefused?.(name);
  const retryAfter = Math.max(1, refused.reset);
  return new ApiError(LIMIT_ERROR_CODE[name], `This consumer made ${DESCRIBE[name](quota, window)}. Retry after ${retryAfter} s.`, {
    headers: { 'Retry-After': String(retryAfter) },
    members: { limit: name, limit_quota: quota, limit_window_seconds: window, retry_after_seconds: retryAfter },
  });
}
