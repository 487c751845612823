import { describe, expect, it } from 'vitest';
import { commonResponses } from '../src/common.js';
import { ERROR_GUIDE } from '../src/error-guide.js';
import { codeForSlug, ERROR_STATUS, ERROR_TITLES, PROBLEM_PATH, problemTypeFor, type ErrorCode } from '../src/errors.js';

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

  it('maps each code to its own problem type URI, relative or under a base URL, and back', () => {
    expect(problemTypeFor('rate_limited')).toBe('/problems/rate-limited');
    expect(problemTypeFor('idempotency_key_reused', 'https://api.example.com/')).toBe('https://api.example.com/problems/idempotency-key-reused');
    const types = codes.map((code) => problemTypeFor(code));
    expect(new Set(types).size).toBe(codes.length);
    for (const [i, type] of types.entries()) {
      expect(type).toBe(PROBLEM_PATH + codes[i]!.replaceAll('_', '-'));
      expect(codeForSlug(type.slice(PROBLEM_PATH.length))).toBe(codes[i]);
      expect(() => new URL(type, 'http://127.0.0.1')).not.toThrow();
    }
    for (const slug of ['rate_limited', 'nope', 'constructor', '__proto__', '']) expect(codeForSlug(slug), slug).toBeUndefined();
  });

  it('documents every code: what it means, typical causes, what to do', () => {
    expect(Object.keys(ERROR_GUIDE).sort()).toEqual([...codes].sort());
    for (const code of codes) {
      const guide = ERROR_GUIDE[code];
      expect(guide.meaning, code).toMatch(/\.$/);
      expect(guide.causes.length, code).toBeGreaterThan(0);
      expect(guide.action, code).toMatch(/\.$/);
    }
  });
});
