import type { Policy, PolicyName } from './policy.js';

export interface PolicyState {
  policy: Policy;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

/*
 * draft-ietf-httpapi-ratelimit-headers (-09 onwards): both fields are Structured Field
 * Lists (RFC 9651) whose members are the policy names as sf-strings. RateLimit-Policy
 * carries q (quota) and w (window, seconds); RateLimit carries r (remaining) and t
 * (seconds to reset). Written by hand: three members of fixed shape do not need a
 * structured-fields library.
 */
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
