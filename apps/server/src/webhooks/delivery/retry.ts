/** Outcome of one attempt, as the retry policy sees it. */
export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'gone' }
  | { kind: 'failed'; retryAfterSeconds: number | null };

/** Classifies a response: 2xx delivered, 410 gone, anything else (or none) failed. */
export function classify(status: number | null, retryAfter: string | string[] | undefined, now: Date): AttemptOutcome {
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  const honoured = status === 429 || status === 503 ? parseRetryAfter(retryAfter, now) : null;
  return { kind: 'failed', retryAfterSeconds: honoured };
}

/** Retry-After: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return null;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/**
 * Seconds to wait before attempt `nextAttempt` (2 = the first retry), or null when the
 * schedule is exhausted. schedule[0] is the first attempt (immediately); schedule[i] the
 * delay before attempt i+1. ±10 % jitter spreads retries of many messages; a receiver's
 * Retry-After wins when it asks for longer, capped at the longer of an hour and the
 * schedule's longest delay (a receiver may not park a message for ever).
 */
export function retryDelaySeconds(
  schedule: readonly number[],
  nextAttempt: number,
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): number | null {
  const base = schedule[nextAttempt - 1];
  if (base === undefined) return null;
  const jittered = base * (0.9 + 0.2 * random());
  const cap = Math.max(3600, ...schedule);
  return retryAfterSeconds !== null ? Math.max(jittered, Math.min(retryAfterSeconds, cap)) : jittered;
}
