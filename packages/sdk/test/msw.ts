// One msw server per test file: requests to BASE never leave the process, and any
// request no handler answers fails the test.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const BASE = 'http://ihf.test';

export function useMsw() {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

export const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 40, maxRetryAfterMs: 5_000 };
