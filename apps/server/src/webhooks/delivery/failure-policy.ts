import { retryDelaySeconds, type AttemptOutcome } from './retry.js';

export type FailedOutcome = Exclude<AttemptOutcome, { kind: 'delivered' }>;

export interface FailureDecision {
  /** When the next attempt runs; null when the schedule is used up or the endpoint is gone. */
  retryAt: Date | null;
  /** Disable the subscription at once, with this reason, without counting the failure (410 Gone). */
  disable: string | null;
}

/** What a failed attempt leads to. `schedule[i]` is the delay (s) before attempt i+1. */
export function decideFailure(
  outcome: FailedOutcome,
  attempt: number,
  schedule: readonly number[],
  now: Date,
  random?: () => number,
): FailureDecision {
  if (outcome.kind === 'gone') return { retryAt: null, disable: 'The endpoint answered 410 Gone.' };
  const delay = retryDelaySeconds(schedule, attempt + 1, outcome.retryAfterSeconds, random);
  return { retryAt: delay === null ? null : new Date(now.getTime() + delay * 1000), disable: null };
}

/**
 * Persistent failure: a message used its whole schedule with no success of the
 * subscription in between (`failures`, this one counted). The reason to disable it, or null.
 */
export function persistentFailure(failures: number, schedule: readonly number[], retryAt: Date | null, lastError: string): string | null {
  if (retryAt || failures < schedule.length) return null;
  return `${failures} consecutive failed attempts; the last: ${lastError}`;
}
