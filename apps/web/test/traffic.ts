// Real traffic for the charts and tables: requests over HTTP with a consumer's key,
// then the request log flushed so the usage endpoints see them.
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../../server/test/support/harness.js';

export interface TrafficCounts {
  ok: number;
  notFound: number;
  invalid: number;
}

/** ok × GET /me (200), notFound × GET an unknown annotation (404), invalid × an empty annotation (422). */
export async function generateTraffic(t: TestServer, key: string, counts: TrafficCounts): Promise<TrafficCounts> {
  for (let i = 0; i < counts.ok; i++) await expectStatus(t.as(key, 'GET', '/api/v2/me'), 200);
  for (let i = 0; i < counts.notFound; i++) await expectStatus(t.as(key, 'GET', `/api/v2/annotations/${randomUUID()}`), 404);
  for (let i = 0; i < counts.invalid; i++) await expectStatus(t.as(key, 'POST', '/api/v2/annotations', { body: '' }), 422);
  await t.services.traffic.requestLog.flush();
  return counts;
}

async function expectStatus(pending: Promise<Response>, status: number) {
  const res = await pending;
  await res.arrayBuffer();
  if (res.status !== status) throw new Error(`traffic: expected ${status}, got ${res.status}`);
}
