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
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
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

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
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
