// Walks every route of the contract and checks that it authenticates as its metadata says,
// so a new route cannot forget its credential, its scopes or its owner check.
import { contract, RECORD_RESOURCES, type Scope } from '@ihf/contract';
import { flattenRoutes, type ContractRoute } from '@ihf/contract/routes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, until, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { CONSUMER_SCOPES } from './support/scopes.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

const routes = flattenRoutes(contract);
/** Record ids in a path name records every consumer may read; any other id is the caller's own. */
const SHARED = new Set<string>(RECORD_RESOURCES);
const resourceOf = (path: string) => path.split('/')[3]!;
const hasBody = (route: ContractRoute) => route.method !== 'GET' && 'body' in route && typeof route.body !== 'symbol';
const ownedResource = (route: ContractRoute) => route.metadata?.auth?.kind === 'consumer' && route.path.includes('/:') && !SHARED.has(resourceOf(route.path));

/** The only routes open without a credential, and the only consumer routes that need no scope. */
const PUBLIC = ['GET /api/v2/event-types', 'POST /api/v2/token', 'POST /api/v2/token/introspect', 'POST /api/v2/token/revoke'];
// Sign-out takes only a portal credential, whatever its scopes (any other is 403).
const UNSCOPED = ['GET /api/v2/me', 'DELETE /api/v2/portal-sessions/current'];

/** Valid bodies for the routes that take one, so a 404 comes from the owner check and not from validation. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v2/webhook-subscriptions/:id': { is_active: true },
  'POST /api/v2/webhook-subscriptions/:id/recover': { since: new Date(Date.now() - 3_600_000).toISOString() },
  'PATCH /api/v2/admin/webhook-subscriptions/:subscriptionId': { is_active: true },
};

let t: TestServer;
let receiver: Receiver;
/** The path parameters of every route, filled with real ids of the owner's resources. */
const ids: Record<string, string> = {};
let owner: { consumerId: string; keyId: string; key: string };
let other: { key: string };
const keysLacking = new Map<string, string>();

function fill(path: string): string {
  return path.replace(/:(\w+)/g, (_, param: string) => {
    const id = param === 'id' ? ids[resourceOf(path)] : ids[param];
    if (!id) throw new Error(`no id to fill :${param} of ${path}: add one to the test's set-up`);
    return id;
  });
}

async function created(res: Response, what: string): Promise<string> {
  if (res.status !== 201) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** A key of the owner with every consumer scope except `scopes` (and never `admin`). */
async function keyLacking(scopes: readonly Scope[]): Promise<string> {
  const name = [...scopes].sort().join(' ');
  if (!keysLacking.has(name)) {
    const rest = CONSUMER_SCOPES.filter((s) => !scopes.includes(s));
    keysLacking.set(name, (await t.issueKey(owner.consumerId, rest)).key);
  }
  return keysLacking.get(name)!;
}

function send(route: ContractRoute, credential?: string, body?: unknown): Promise<Response> {
  return t.request(fill(route.path), {
    method: route.method,
    headers: {
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

beforeAll(async () => {
  t = await startTestServer({ env: { BURST_THRESHOLD: '100000' } });
  const unlimited = { tier: 'enterprise', rate_limit_per_minute: 1_000_000, quota_per_day: 1_000_000_000 };
  owner = await t.consumerWithKey([...CONSUMER_SCOPES], unlimited);
  other = await t.consumerWithKey([...CONSUMER_SCOPES], unlimited);
  ids.consumerId = owner.consumerId;
  ids.keyId = owner.keyId;

  const post = (path: string, body: unknown) => t.as(owner.key, 'POST', path, body);
  ids['interaction-events'] = await created(await post('/api/v2/interaction-events', { event_type: 'clicked', subject_id: 's', actor_id: 'a', occurred_at: '2026-11-25T10:00:00Z' }), 'event');
  ids.annotationId = ids.annotations = await created(await post('/api/v2/annotations', { interaction_event_id: ids['interaction-events'], body: 'Saves twice.' }), 'annotation');
  ids.candidateId = ids['requirement-candidates'] = await created(await post('/api/v2/requirement-candidates', { title: 'Confirm saves', category: 'ux', source_annotation_ids: [ids.annotations] }), 'candidate');
  ids['decision-records'] = await created(await post('/api/v2/decision-records', { requirement_candidate_id: ids.candidateId, outcome: 'accepted', decided_by: 'council', decided_at: '2026-11-25T11:00:00Z' }), 'decision');
  ids['deployment-records'] = await created(await post('/api/v2/deployment-records', { decision_record_id: ids['decision-records'], version: '1.0.0', environment: 'production', deployed_at: '2026-11-26T08:00:00Z', status: 'succeeded' }), 'deployment');
  ids['outcome-signals'] = await created(await post('/api/v2/outcome-signals', { deployment_record_id: ids['deployment-records'], metric: 'm', value: 1, observed_at: '2026-12-03T00:00:00Z' }), 'signal');
  ids.manifestId = await created(await t.admin('POST', '/api/v2/admin/manifests', { name: 'walk-hub', version: '1.0.0', scopes: ['annotations:read'] }), 'manifest');
  ids.ruleId = await created(await t.admin('POST', '/api/v2/admin/auto-approve-rules', { consumer_id: owner.consumerId, category: 'walk' }), 'rule');

  // A subscription with one real delivery attempt, logged by a real worker.
  receiver = await startReceiver();
  ids.subscriptionId = ids['webhook-subscriptions'] = (await subscribe(t, owner.key, 'annotation.created', receiver.url)).id;
  const worker = await startTestWorker(t, { concurrency: 2 });
  try {
    expect((await post(`/api/v2/webhook-subscriptions/${ids['webhook-subscriptions']}/test`, undefined)).status).toBe(202);
    await until('a logged delivery', async () => {
      const res = await t.as(owner.key, 'GET', `/api/v2/webhook-subscriptions/${ids['webhook-subscriptions']}/deliveries`);
      const [first] = ((await res.json()) as { data: { id: string }[] }).data;
      if (first) ids.deliveryId = first.id;
      return first !== undefined;
    });
  } finally {
    await worker.stop();
  }
});
afterAll(async () => {
  await receiver?.close();
  await t?.close();
});

describe('every route of the contract', () => {
  it('is walked here: the contract has routes of each kind', () => {
    const kinds = new Set(routes.map((r) => r.metadata?.auth?.kind));
    expect([...kinds].sort()).toEqual(['admin', 'consumer', 'public']);
    expect(routes.filter(ownedResource).length).toBeGreaterThan(0);
  });

  for (const route of routes) {
    const name = `${route.method} ${route.path}`;
    describe(name, () => {
      it('declares how it authenticates, and is open or unscoped only by name', () => {
        const auth = route.metadata?.auth;
        expect(['public', 'admin', 'consumer'], name).toContain(auth?.kind);
        expect(auth?.kind === 'public', `${name} is public`).toBe(PUBLIC.includes(name));
        expect(auth?.kind === 'consumer' && auth.scopes.length === 0, `${name} needs no scope`).toBe(UNSCOPED.includes(name));
      });

      if (route.metadata?.auth?.kind === 'public') {
        it('answers without a credential', async () => {
          const res = await send(route);
          expect(res.headers.get('www-authenticate') ?? '').not.toMatch(/^Bearer/);
          if (route.method === 'GET') expect(res.status).toBe(200);
          else expect(res.status).toBeLessThan(500);
        });
        return;
      }

      it('refuses a request without a credential: 401 with a Bearer challenge', async () => {
        const res = await send(route);
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
        expect((await readProblem(res)).code).toBe('unauthenticated');
      });

      const needed: readonly Scope[] = route.metadata?.auth?.kind === 'consumer' ? route.metadata.auth.scopes : ['admin'];
      if (needed.length > 0) {
        it(`refuses a credential without ${needed.join(', ')}: 403 insufficient_scope`, async () => {
          const res = await send(route, await keyLacking(needed));
          expect(res.status).toBe(403);
          expect((await readProblem(res)).code).toBe('insufficient_scope');
        });
      }

      if (route.method === 'GET') {
        it('answers 200 to a credential with its scopes', async () => {
          const credential = route.metadata.auth.kind === 'admin' ? t.adminToken : owner.key;
          const res = await send(route, credential);
          expect(res.status, await res.clone().text()).toBe(200);
        });
      }

      if (ownedResource(route)) {
        it("answers 404 for another consumer's resource", async () => {
          const key = `${route.method} ${route.path}`;
          if (hasBody(route)) expect(BODIES[key], `add a valid body for ${key} to BODIES`).toBeDefined();
          const res = await send(route, other.key, BODIES[key]);
          expect(res.status).toBe(404);
          expect((await readProblem(res)).code).toBe('not_found');
        });
      }
    });
  }
});
