/** How the client retries network errors, 429 and 5xx. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 2, so at most 3 attempts). */
  maxRetries: number;
  /** Backoff before the first retry; doubles on each retry (default 500 ms). */
  initialDelayMs: number;
  /** Ceiling of one backoff (default 8 s). */
  maxDelayMs: number;
  /**
   * The longest `Retry-After` worth waiting for (default 60 s). A longer one (a daily
   * quota resetting at midnight) is thrown at once as a RateLimitError rather than
   * parking the caller for hours.
   */
  maxRetryAfterMs: number;
  /**
   * How long a call keeps resending a POST whose first request with the same
   * Idempotency-Key is still running on the server (409 `idempotency_in_progress`),
   * counted from the first such 409 (default 60 s, as long as the server holds the key).
   * These resends do not count against `maxRetries`: they repeat nothing, they wait for
   * the first request's answer. 0 throws the ConflictError at once.
   */
  maxInProgressWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
  maxInProgressWaitMs: 60_000,
};

/**
 * Exponential backoff with "equal jitter": half the capped delay is fixed, half random.
 * The fixed half keeps a floor under retries; the random half spreads out the clients
 * that failed together, so they do not come back in lockstep.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const capped = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** retry);
  return capped / 2 + random() * (capped / 2);
}

/**
 * A failed attempt, as far as resending it goes:
 * - `ambiguous`: no answer (network error, timeout) or a 5xx; the server may have acted
 *   on it, so it is resent only when doing it twice does no harm.
 * - `refused`: 429, turned away before any handler ran; safe to resend on any route.
 * - `in_progress`: 409 `idempotency_in_progress`; the first request with this key still
 *   runs, and resending the same key gets its answer once it is done.
 * - `final`: any other answer.
 */
export type FailureKind = 'ambiguous' | 'refused' | 'in_progress' | 'final';

/** `status` is undefined when no response came back. */
export function failureKind(status: number | undefined, code: string | undefined): FailureKind {
  if (status === undefined || status >= 500) return 'ambiguous';
  if (status === 429) return 'refused';
  if (status === 409 && code === 'idempotency_in_progress') return 'in_progress';
  return 'final';
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
