import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

type Consumer = Record<string, unknown> & { id: string };
const json = async <T = Consumer>(res: Response) => (await res.json()) as T;

describe('admin: consumers', () => {
  it('creates a consumer that inherits its tier’s default limits, burst included', async () => {
    const res = await t.admin('POST', '/api/v2/admin/consumers', { name: 'Free one' });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      name: 'Free one',
      description: null,
      tier: 'free',
      rate_limit_per_minute: 60,
      quota_per_day: 10000,
      burst_threshold: 50,
      limit_overrides: { rate_limit_per_minute: null, quota_per_day: null, burst_threshold: null },
      hub_capability_manifest_id: null,
      is_active: true,
    });
    const [row] = await t.sql`SELECT rate_limit_per_minute, quota_per_day, burst_threshold FROM api_consumers WHERE name = 'Free one'`;
    expect(row).toEqual({ rate_limit_per_minute: null, quota_per_day: null, burst_threshold: null });
  });

  it('lets per-consumer limits override the tier’s, and shows which are overrides', async () => {
    const res = await t.admin('POST', '/api/v2/admin/consumers', {
      name: 'Custom',
      tier: 'enterprise',
      rate_limit_per_minute: 42,
      burst_threshold: 7,
    });
    expect(await json(res)).toMatchObject({
      tier: 'enterprise',
      rate_limit_per_minute: 42,
      quota_per_day: 5_000_000,
      burst_threshold: 7,
      limit_overrides: { rate_limit_per_minute: 42, quota_per_day: null, burst_threshold: 7 },
    });
  });

  it('keeps overrides across a tier change while inherited limits follow the tier', async () => {
    const created = await json(await t.admin('POST', '/api/v2/admin/consumers', { name: 'Upgrading', quota_per_day: 5 }));
    const upgraded = await json(await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { tier: 'pro' }));
    expect(upgraded).toMatchObject({
      tier: 'pro',
      rate_limit_per_minute: 600,
      quota_per_day: 5,
      burst_threshold: 200,
      limit_overrides: { rate_limit_per_minute: null, quota_per_day: 5, burst_threshold: null },
    });
    // The limiter applies the same: pro's per-minute limit, the consumer's own quota.
    const { key } = await t.issueKey(created.id, ['usage:read']).then((k) => ({ key: k.key }));
    const me = await t.as(key, 'GET', '/api/v2/me');
    expect(((await me.json()) as { limits: unknown }).limits).toMatchObject({ rate_limit_per_minute: 600, quota_per_day: 5, burst_threshold: 200 });
    expect(me.headers.get('ratelimit-policy')).toBe('"burst";q=200;w=1, "minute";q=600;w=60, "day";q=5;w=86400');

    const enterprise = await json(
      await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { tier: 'enterprise', burst_threshold: 9 }),
    );
    expect(enterprise).toMatchObject({ rate_limit_per_minute: 6000, quota_per_day: 5, burst_threshold: 9 });
    const downgraded = await json(await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { tier: 'free' }));
    expect(downgraded).toMatchObject({
      rate_limit_per_minute: 60,
      quota_per_day: 5,
      burst_threshold: 9,
      limit_overrides: { rate_limit_per_minute: null, quota_per_day: 5, burst_threshold: 9 },
    });
  });

  it('returns a limit to the tier’s default when it is set to null', async () => {
    const created = await json(
      await t.admin('POST', '/api/v2/admin/consumers', { name: 'Reverting', tier: 'pro', rate_limit_per_minute: 1, burst_threshold: 2 }),
    );
    const reverted = await json(
      await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { rate_limit_per_minute: null, burst_threshold: null }),
    );
    expect(reverted).toMatchObject({
      rate_limit_per_minute: 600,
      burst_threshold: 200,
      limit_overrides: { rate_limit_per_minute: null, quota_per_day: null, burst_threshold: null },
    });
  });

  it('gets, updates and deactivates a consumer', async () => {
    const created = await json(await t.admin('POST', '/api/v2/admin/consumers', { name: 'Lifecycle', description: 'd' }));
    const got = await t.admin('GET', `/api/v2/admin/consumers/${created.id}`);
    expect(got.status).toBe(200);
    expect(await json(got)).toEqual(created);

    const upgraded = await json(await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { tier: 'pro' }));
    expect(upgraded).toMatchObject({ tier: 'pro', rate_limit_per_minute: 600, quota_per_day: 200000 });
    expect(Date.parse(upgraded.updated_at as string)).toBeGreaterThanOrEqual(Date.parse(created.updated_at as string));

    const pinned = await json(
      await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { tier: 'enterprise', quota_per_day: 5 }),
    );
    expect(pinned).toMatchObject({ tier: 'enterprise', rate_limit_per_minute: 6000, quota_per_day: 5 });

    const renamed = await json(await t.admin('PATCH', `/api/v2/admin/consumers/${created.id}`, { name: 'Renamed', description: null }));
    expect(renamed).toMatchObject({ name: 'Renamed', description: null, tier: 'enterprise', quota_per_day: 5 });

    const deactivated = await json(await t.admin('POST', `/api/v2/admin/consumers/${created.id}/deactivate`));
    expect(deactivated.is_active).toBe(false);
  });

  it('answers 404 for an unknown consumer on every route', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    for (const [method, path, body] of [
      ['GET', `/api/v2/admin/consumers/${id}`, undefined],
      ['PATCH', `/api/v2/admin/consumers/${id}`, { name: 'x' }],
      ['POST', `/api/v2/admin/consumers/${id}/deactivate`, undefined],
      ['POST', `/api/v2/admin/consumers/${id}/keys`, { scopes: ['annotations:read'] }],
      ['GET', `/api/v2/admin/consumers/${id}/keys`, undefined],
    ] as const) {
      const res = await t.admin(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await readProblem(res)).code).toBe('not_found');
    }
  });

  it('refuses a manifest id that does not exist with 422 on the field', async () => {
    const res = await t.admin('POST', '/api/v2/admin/consumers', {
      name: 'Hub',
      hub_capability_manifest_id: '00000000-0000-4000-8000-000000000002',
    });
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem.code).toBe('invalid_reference');
    expect(problem.errors).toEqual([expect.objectContaining({ pointer: '/hub_capability_manifest_id' })]);
  });

  it('pages through consumers with a stable order and an opaque cursor', async () => {
    const fresh = await startTestServer();
    try {
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await fresh.createConsumer({ name: `c${i}` })).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await fresh.admin('GET', `/api/v2/admin/consumers?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        const page = await json<{ data: Consumer[]; next_cursor: string | null }>(res);
        seen.push(...page.data.map((c) => c.id));
        cursor = page.next_cursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([...ids].reverse());

      const active = await json<{ data: Consumer[] }>(await fresh.admin('GET', '/api/v2/admin/consumers?is_active=true&limit=200'));
      expect(active.data).toHaveLength(7);
    } finally {
      await fresh.close();
    }
  });
});

describe('admin: hub capability manifests', () => {
  it('creates, lists, gets and updates a manifest, and binds a hub consumer to it', async () => {
    const created = await t.admin('POST', '/api/v2/admin/manifests', {
      name: 'outcomes-hub',
      version: '1.0.0',
      scopes: ['deployment-records:read', 'outcome-signals:write', 'outcome-signals:write'],
      event_types: ['deployment_record.created'],
    });
    expect(created.status).toBe(201);
    const manifest = await json(created);
    expect(manifest).toMatchObject({ scopes: ['deployment-records:read', 'outcome-signals:write'], description: null });

    const duplicate = await t.admin('POST', '/api/v2/admin/manifests', { name: 'outcomes-hub', version: '1.0.0', scopes: [] });
    expect(duplicate.status).toBe(409);
    await readProblem(duplicate);

    const list = await json<{ data: Consumer[] }>(await t.admin('GET', '/api/v2/admin/manifests'));
    expect(list.data.map((m) => m.id)).toContain(manifest.id);
    expect(await json(await t.admin('GET', `/api/v2/admin/manifests/${manifest.id}`))).toEqual(manifest);

    const hub = await t.createConsumer({ name: 'Hub', hub_capability_manifest_id: manifest.id });
    const allowed = await t.admin('POST', `/api/v2/admin/consumers/${hub.id}/keys`, { scopes: ['outcome-signals:write'] });
    expect(allowed.status).toBe(201);
    const refused = await t.admin('POST', `/api/v2/admin/consumers/${hub.id}/keys`, {
      scopes: ['outcome-signals:write', 'annotations:write'],
    });
    expect(refused.status).toBe(422);
    expect((await readProblem(refused)).errors).toEqual([expect.objectContaining({ pointer: '/scopes/1', code: 'scope_not_in_manifest' })]);

    const updated = await json(await t.admin('PATCH', `/api/v2/admin/manifests/${manifest.id}`, { version: '1.1.0' }));
    expect(updated).toMatchObject({ version: '1.1.0', name: 'outcomes-hub' });
  });
});
