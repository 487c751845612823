// The failure policy is pure: what a failed attempt leads to, from its outcome and the schedule.
import { describe, expect, it } from 'vitest';
import { decideFailure, persistentFailure, type FailedOutcome } from './failure-policy.js';
import { classify } from './retry.js';

const SCHEDULE = [0, 60, 300];
const NOW = new Date('2026-11-26T10:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
/** The outcome of an answer that is not a 2xx. */
function failed(status: number, retryAfter?: string): FailedOutcome {
  const outcome = classify(status, retryAfter, NOW);
  if (outcome.kind === 'delivered') throw new Error(`${status} counts as delivered`);
  return outcome;
}

describe('failure policy', () => {
  it('retries a failure after the next delay of the schedule, jittered by ±10 %', () => {
    expect(decideFailure(failed(500), 1, SCHEDULE, NOW, () => 0)).toEqual({ retryAt: at(54), disable: null });
    expect(decideFailure(failed(500), 1, SCHEDULE, NOW, () => 1)).toEqual({ retryAt: at(66), disable: null });
    expect(decideFailure(failed(500), 2, SCHEDULE, NOW, () => 0.5)).toEqual({ retryAt: at(300), disable: null });
  });

  it('waits as long as a 429 or 503 asks when that is longer, capped at an hour', () => {
    expect(decideFailure(failed(429, '600'), 1, SCHEDULE, NOW, () => 0.5).retryAt).toEqual(at(600));
    expect(decideFailure(failed(503, String(24 * 3600)), 1, SCHEDULE, NOW, () => 0.5).retryAt).toEqual(at(3600));
    // A shorter Retry-After does not bring the retry forward; a 500's is not honoured.
    expect(decideFailure(failed(429, '1'), 1, SCHEDULE, NOW, () => 0.5).retryAt).toEqual(at(60));
    expect(decideFailure(failed(500, '600'), 1, SCHEDULE, NOW, () => 0.5).retryAt).toEqual(at(60));
  });

  it('makes no further attempt once the schedule is used up', () => {
    expect(decideFailure(failed(500), 3, SCHEDULE, NOW)).toEqual({ retryAt: null, disable: null });
  });

  it('disables at once, with no retry, when the endpoint answers 410 Gone', () => {
    expect(decideFailure(failed(410), 1, SCHEDULE, NOW)).toEqual({
      retryAt: null,
      disable: 'The endpoint answered 410 Gone.',
    });
  });

  it('disables for persistent failure only when a message used its whole schedule with no success between', () => {
    expect(persistentFailure(3, SCHEDULE, null, 'HTTP 500')).toBe('3 consecutive failed attempts; the last: HTTP 500');
    expect(persistentFailure(2, SCHEDULE, null, 'HTTP 500')).toBeNull(); // a success reset the count meanwhile
    expect(persistentFailure(7, SCHEDULE, at(60), 'HTTP 500')).toBeNull(); // another message still has retries to go
  });
});
