// A portal credential against EVERY route of the contract, generated from the contract's
// route metadata: routes open to anyone or to any credential, and routes whose scopes are
// all portal scopes, work (with the consumer's own resources as path parameters); every
// other route is 403, admin routes included. One documented exception: a portal
// credential holds webhooks:manage yet may not mint another portal session.
import { contract, PORTAL_SCOPES, type RouteMetadata } from '@ihf/contract';
import { isAppRoute, type AppRoute, type AppRouter } from '@ts-rest/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startWebhookWorker, type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { readProblem, startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';

function flatten(router: AppRouter, prefix = ''): [string, AppRoute][] {
  return Object.entries(router).flatMap(([k, v]) => (isAppRoute(v) ? [[prefix + k, v] as [string, AppRoute]] : flatten(v, `${prefix}${k}.`)));
}

const PORTAL = new Set<string>(PORTAL_SCOPES);
/** Routes a portal credential is refused although it holds their scopes, and why. */
const REFUSED_ANYWAY: Record<string, string> = {
  'portalSessions.create': 'a portal credential cannot mint further portal sessions',
};

type Expectation = 'works' | 'open' | 'forbidden' | 'insufficient_scope';
function expectationFor(name: string, meta: RouteMetadata): Expectation {
  if (REFUSED_ANYWAY[name]) return 'forbidden';
  if (meta.auth.kind === 'public') return 'open';
  if (meta.auth.kind === 'admin') return 'insufficient_scope';
  return meta.auth.scopes.every((s) => PORTAL.has(s)) ? 'works' : 'insufficient_scope';
}

/** Bodies for the routes a portal credential may call (anything goes for the others: they are refused before the body is read). */
const BODIES: Record<string, unknown> = {
  'webhookSubscriptions.create': { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/walk' },
  'webhookSubscriptions.update': { is_active: true },
  'webhookSubscriptions.recover': { since: new Date(Date.now() - 3600_000).toISOString() },
  'portalSessions.create': {},
};

let t: TestServer;
let worker: WebhookWorker;
let receiver: Receiver;
let portal: string;
/** A second session of the same consumer, for the sign-out route (which ends the credential calling it). */
let signOutPortal: string;
const params: Record<string, string> = {};
let throwawaySubscription: string;

async function createSubscription(credential: string, url: string): Promise<string> {
  const res = await t.as(credential, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: url });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_RETRY_SCHEDULE: '0,0.2' } });
  receiver = await startReceiver();
  worker = await startWebhookWorker({ config: t.config, databaseUrl: t.db.url, logger: createLogger('silent'), concurrency: 2, pollIntervalMs: 100 });
  // High limits: the walk sends every route in quick succession.
  const { consumerId, keyId } = await t.consumerWithKey(['annotations:read'], { tier: 'enterprise', burst_threshold: 100_000 });
  const mint = async () => {
    const res = await t.admin('POST', `/api/v2/admin/consumers/${consumerId}/portal-sessions`, {});
    expect(res.status).toBe(201);
    return new URL(((await res.json()) as { url: string }).url).hash.replace('#token=', '');
  };
  portal = await mint();
  signOutPortal = await mint();

  // The consumer's own resources, made through the portal: a subscription with one logged delivery.
  const subscription = await createSubscription(portal, receiver.url);
  throwawaySubscription = await createSubscription(portal, 'http://127.0.0.1:9/throwaway');
  expect((await t.as(portal, 'POST', `/api/v2/webhook-subscriptions/${subscription}/test`)).status).toBe(202);
  let deliveryId = '';
  await until('the test event’s delivery in the log', async () => {
    const res = await t.as(portal, 'GET', `/api/v2/webhook-subscriptions/${subscription}/deliveries`);
    const { data } = (await res.json()) as { data: { id: string; status: string }[] };
    deliveryId = data.find((d) => d.status === 'delivered')?.id ?? '';
    return deliveryId !== '';
  }, 15_000);

  const [manifest] = await t.sql<{ id: string }[]>`
    INSERT INTO hub_capability_manifests (name, version, scopes, event_types) VALUES ('walk', '1', '{}', '{}') RETURNING id`;
  const [rule] = await t.sql<{ id: string }[]>`
    INSERT INTO auto_approve_rules (api_consumer_id, category) VALUES (${consumerId}, 'walk') RETURNING id`;
  Object.assign(params, {
    ruleId: rule!.id,
    consumerId,
    keyId,
    id: subscription,
    subscriptionId: subscription,
    deliveryId,
    manifestId: manifest!.id,
    candidateId: '00000000-0000-4000-8000-000000000001',
    annotationId: '00000000-0000-4000-8000-000000000002',
  });
});
afterAll(async () => {
  await worker?.stop();
  await receiver?.close();
  await t?.close();
});

const routes = flatten(contract);

describe('a portal credential on every route of the contract', () => {
  it('walks a contract with admin, consumer and public routes', () => {
    const kinds = new Set(routes.map(([name, r]) => expectationFor(name, r.metadata as RouteMetadata)));
    expect([...kinds].sort()).toEqual(['forbidden', 'insufficient_scope', 'open', 'works']);
  });

  it.each(routes)('%s', async (name, route) => {
    const meta = route.metadata as RouteMetadata;
    const expected = expectationFor(name, meta);
    const values: Record<string, string> = { ...params, ...(name === 'webhookSubscriptions.delete' ? { id: throwawaySubscription } : {}) };
    const path = route.path.replace(/:(\w+)/g, (_, p: string) => {
      if (!values[p]) throw new Error(`no value for the path parameter ${p} of ${name}`);
      return values[p]!;
    });
    const credential = name === 'portalSessions.revokeCurrent' ? signOutPortal : portal;
    const form = 'contentType' in route && route.contentType === 'application/x-www-form-urlencoded';
    const hasBody = route.method !== 'GET' && 'body' in route && typeof route.body !== 'symbol';
    const res = await t.request(path, {
      method: route.method,
      headers: {
        authorization: `Bearer ${credential}`,
        ...(hasBody ? { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' } : {}),
      },
      body: hasBody ? (form ? '' : JSON.stringify(BODIES[name] ?? {})) : undefined,
    });
    const where = `${route.method} ${route.path}: ${res.status}`;
    switch (expected) {
      case 'works':
        expect(res.status, `${where} ${await res.clone().text()}`).toBeGreaterThanOrEqual(200);
        expect(res.status, `${where} ${await res.clone().text()}`).toBeLessThan(300);
        break;
      case 'open':
        expect(res.status, where).not.toBe(403);
        break;
      default: {
        expect(res.status, where).toBe(403);
        expect((await readProblem(res)).code, where).toBe(expected);
      }
    }
  });

  it('signed out by the walk, the second session is refused; the first still works', async () => {
    expect((await t.as(signOutPortal, 'GET', '/api/v2/me')).status).toBe(401);
    expect((await t.as(portal, 'GET', '/api/v2/me')).status).toBe(200);
  });
});
