// A target_url that is not a URL at all is a validation problem, on create and on update,
// never a 500: the contract's http(s) check must not run `new URL()` on it unguarded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { RECORD_READ_SCOPES } from './support/scopes.js';

let t: TestServer;
let key: string;
let consumerId: string;

beforeAll(async () => {
  t = await startTestServer();
  ({ key, consumerId } = await t.consumerWithKey([...RECORD_READ_SCOPES, 'webhooks:manage']));
});
afterAll(async () => {
  await t?.close();
});

const NOT_URLS = ['not a url', 'hooks.example.com/ihf', '://missing-scheme', 'http://', '', 'https://exa mple.com/'];

async function expectTargetUrlProblem(res: Response): Promise<void> {
  expect(res.status).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await readProblem(res);
  expect(problem.code).toBe('validation_failed');
  expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/target_url' })]);
}

describe('target_url that is not a URL', () => {
  it.each(NOT_URLS)('POST refuses %j with a problem naming target_url', async (target_url) => {
    const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url });
    await expectTargetUrlProblem(res);
  });

  it.each(NOT_URLS)('PATCH refuses %j with a problem naming target_url', async (target_url) => {
    const [sub] = await t.sql<{ id: string }[]>`
      INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
      VALUES (${consumerId}, 'annotation.created', 'https://hooks.example.com/ihf', 'sealed') RETURNING id`;
    const res = await t.as(key, 'PATCH', `/api/v2/webhook-subscriptions/${sub!.id}`, { target_url });
    await expectTargetUrlProblem(res);
    const [row] = await t.sql<{ target_url: string }[]>`SELECT target_url FROM webhook_subscriptions WHERE id = ${sub!.id}`;
    expect(row!.target_url).toBe('https://hooks.example.com/ihf');
  });
});
