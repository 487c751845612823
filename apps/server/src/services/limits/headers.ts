import type { Policy, PolicyName } from './policy.js';

export interface PolicyState {
  policy: Policy;
  remaining: number;
  /** Seconds until the window resets. */
  reset: number;
}

/*
 * draft-ietf-httpapi-ratelimit-headers-11 (23 May 2026; the syntax is unchanged since
 * -09): both fields are Structured Field Lists (RFC 9651) whose members are the policy
 * names as sf-strings. RateLimit-Policy (§3) carries q (quota, REQUIRED) and w (window in
 * seconds); RateLimit (§4) carries r (available quota, REQUIRED) and t (effective window
 * in seconds). The optional qu (quota unit) is left at its default, "requests", and the
 * optional pk (partition key) is not sent: every policy is per consumer. All values are
 * non-negative sf-integers; members are joined by ", " as RFC 9651 serializes a List.
 * Written by hand: three members of fixed shape whose names are fixed ASCII words do not
 * need a structured-fields library (a test parses them with one).
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
