// Helpers for tests of portal sessions: mint one, read the credential out of its link,
// and check how a credential is refused.
import { expect } from 'vitest';
import { readProblem, type TestServer } from './harness.js';

export interface Session {
  id: string;
  consumer_id: string;
  url: string;
  key_prefix: string;
  scopes: string[];
  expires_at: string;
}

/** The credential a portal link carries in its fragment. */
export const tokenOf = (s: Pick<Session, 'url'>) => new URL(s.url).hash.replace(/^#token=/, '');

/** POST /api/v2/admin/consumers/{consumerId}/portal-sessions, expecting 201. */
export async function adminSession(t: TestServer, consumerId: string, body: Record<string, unknown> = {}): Promise<Session> {
  const res = await t.admin('POST', `/api/v2/admin/consumers/${consumerId}/portal-sessions`, body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Session;
}

/** POST /api/v2/portal-sessions with the consumer's own credential, expecting 201. */
export async function selfSession(t: TestServer, credential: string, body: Record<string, unknown> = {}): Promise<Session> {
  const res = await t.as(credential, 'POST', '/api/v2/portal-sessions', body);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Session;
}

/** The credential is refused with 401 invalid_token, for the reason `pattern` matches. */
export async function refusedWith(t: TestServer, credential: string, pattern: RegExp) {
  const res = await t.as(credential, 'GET', '/api/v2/me');
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect((await readProblem(res)).detail).toMatch(pattern);
}

/** A 403 problem document with the code. */
export async function forbidden(res: Response, code: 'forbidden' | 'insufficient_scope') {
  expect(res.status).toBe(403);
  expect((await readProblem(res)).code).toBe(code);
}
