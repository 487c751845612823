import type { Policy, PolicyName } from './policy.js';

export interface PolicyState {
  policy: Policy;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

// draft-ietf-httpapi-ratelimit-headers-11: RFC 9651 Lists of `"name";q=;w=` and `"name";r=;t=`.
// Hand-written: three members of fixed ASCII shape need no structured-fields library (a test parses them with one).
export function rateLimitPolicyHeader(states: readonly PolicyState[]): string {
  return states.map(({ policy }) => `"${policy.name}";q=${policy.quota};w=${policy.window}`).join(', ');
}

export function rateLimitHeader(states: readonly PolicyState[]): string {
  return states.map((s) => `"${s.policy.name}";r=${Math.max(0, s.remaining)};t=${Math.max(0, s.reset)}`).join(', ');
}

export const LIMIT_ERROR_CODE: Record<PolicyName, 'burst_limited' | 'rate_limited' | 'quota_exceeded'> = {
  burst: 'burst_limited',
  minute: 'rate_limited',
  day: 'quota_exceeded',
};
