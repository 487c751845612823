import { describe, expect, it } from 'vitest';
import { outcomeOf } from './attempt-telemetry.js';
import { summarize } from './db-spans.js';

describe('database span names', () => {
  it('name a statement by its first keyword and the first table it names', () => {
    expect(summarize('SELECT count(*)::int AS n FROM webhook_recipients WHERE event_type = $1').summary).toBe('SELECT webhook_recipients');
    expect(summarize('\n    INSERT INTO requirement_candidates (title) VALUES ($1)')).toEqual({
      operation: 'INSERT',
      collection: 'requirement_candidates',
      summary: 'INSERT requirement_candidates',
    });
    expect(summarize('WITH ev AS (INSERT INTO webhook_events (id) SELECT 1) SELECT 1').summary).toBe('WITH webhook_events');
    expect(summarize('UPDATE "public"."api_keys" SET last_used_at = now()').summary).toBe('UPDATE public.api_keys');
    expect(summarize('begin').summary).toBe('BEGIN');
  });
});

describe('webhook attempt outcomes', () => {
  const result = (status: number | null, extra: object = {}) => ({ status, headers: {}, body: null, latencyMs: 1, error: null, ...extra });
  it('is a small closed set read from the answer', () => {
    expect(outcomeOf(result(204))).toBe('delivered');
    expect(outcomeOf(result(410))).toBe('gone');
    expect(outcomeOf(result(503))).toBe('failed');
    expect(outcomeOf(result(null, { error: 'timed out after 800 ms', timedOut: true }))).toBe('timeout');
    expect(outcomeOf(result(null, { error: 'connect ECONNREFUSED' }))).toBe('error');
  });
});
