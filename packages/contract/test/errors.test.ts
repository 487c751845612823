import { describe, expect, it } from 'vitest';
import { commonResponses } from '../src/common.js';
import { ERROR_STATUS, ERROR_TITLES, PROBLEM_TYPE_BASE, problemTypeFor, type ErrorCode } from '../src/errors.js';

const codes = Object.keys(ERROR_STATUS) as ErrorCode[];

describe('the error table', () => {
  it('gives every code a status and a title, and nothing else', () => {
    expect(Object.keys(ERROR_TITLES).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      expect(ERROR_TITLES[code].trim(), code).not.toBe('');
      expect(ERROR_TITLES[code], code).not.toMatch(/\.$/);
    }
  });

  it('names codes in snake_case', () => {
    for (const code of codes) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('uses only client and server error statuses', () => {
    for (const code of codes) {
      const status = ERROR_STATUS[code];
      expect(Number.isInteger(status), code).toBe(true);
      expect(status >= 400 && status <= 599, `${code}: ${status}`).toBe(true);
    }
  });

  it('has a code for every error status the contract declares for all routes', () => {
    const statuses = new Set<number>(Object.values(ERROR_STATUS));
    for (const status of Object.keys(commonResponses).map(Number)) expect(statuses.has(status), String(status)).toBe(true);
  });

  it('maps each code to its own problem type URI, stably', () => {
    expect(problemTypeFor('rate_limited')).toBe('https://docs.ihf.dev/problems/rate-limited');
    expect(problemTypeFor('idempotency_key_reused')).toBe('https://docs.ihf.dev/problems/idempotency-key-reused');
    const types = codes.map(problemTypeFor);
    expect(new Set(types).size).toBe(codes.length);
    for (const [i, type] of types.entries()) {
      expect(type).toBe(PROBLEM_TYPE_BASE + codes[i]!.replaceAll('_', '-'));
      expect(problemTypeFor(codes[i]!)).toBe(type);
      expect(() => new URL(type)).not.toThrow();
    }
  });
});
