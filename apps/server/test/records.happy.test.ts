import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { RECORD_SCOPES } from './support/scopes.js';

let t: TestServer;
let key: string;
let consumerId: string;

beforeAll(async () => {
  t = await startTestServer({ env: { LOG_LEVEL: 'error' } });
  // The file's requests come faster than the free tier's burst rule allows; that rule has its own tests.
  const c = await t.consumerWithKey([...RECORD_SCOPES], { burst_threshold: 100_000 });
  key = c.key;
  consumerId = c.consumerId;
});
afterAll(() => t.close());

async function post(path: string, body: unknown) {
  const res = await t.as(key, 'POST', path, body);
  const json = (await res.json()) as Record<string, unknown> & { id: string };
  return { status: res.status, json };
}

describe('records: the chain from interaction to outcome', () => {
  it('creates, gets and lists each of the six record types, linked by their parent ids', async () => {
    const ev = await post('/api/v2/interaction-events', {
      event_type: 'clicked', subject_id: 'widget-42', actor_id: 'user-7', occurred_at: '2026-11-25T09:59:58+01:00', properties: { button: 'save' },
    });
    expect(ev.status).toBe(201);
    expect(ev.json).toMatchObject({ event_type: 'clicked', consumer_id: consumerId, occurred_at: '2026-11-25T08:59:58.000Z', properties: { button: 'save' } });

    const ann = await post('/api/v2/annotations', { interaction_event_id: ev.json.id, body: 'Users click save twice.', labels: ['ux'] });
    expect(ann.status).toBe(201);
    expect(ann.json).toMatchObject({ interaction_event_id: ev.json.id, status: 'active', labels: ['ux'] });
    // null with no screener; a score when the trust policy screens submissions.
    expect(ann.json.injection_score === null || typeof ann.json.injection_score === 'number').toBe(true);

    const cand = await post('/api/v2/requirement-candidates', { title: 'Confirm saves', category: 'ux', source_annotation_ids: [ann.json.id] });
    expect(cand.status).toBe(201);
    expect(cand.json).toMatchObject({ status: 'pending_review', description: '', source_annotation_ids: [ann.json.id] });

    const dec = await post('/api/v2/decision-records', {
      requirement_candidate_id: cand.json.id, outcome: 'accepted', decided_by: 'council', decided_at: '2026-11-25T11:00:00Z',
    });
    expect(dec.status).toBe(201);
    const dep = await post('/api/v2/deployment-records', {
      decision_record_id: dec.json.id, version: '2.14.0', environment: 'production', deployed_at: '2026-11-26T08:00:00Z', status: 'succeeded',
    });
    expect(dep.status).toBe(201);
    const sig = await post('/api/v2/outcome-signals', {
      deployment_record_id: dep.json.id, metric: 'double_save_rate', value: 0.012, baseline: 0.087, observed_at: '2026-12-03T00:00:00Z',
    });
    expect(sig.status).toBe(201);
    expect(sig.json).toMatchObject({ value: 0.012, baseline: 0.087, unit: null });

    for (const [path, rec] of [
      ['interaction-events', ev], ['annotations', ann], ['requirement-candidates', cand],
      ['decision-records', dec], ['deployment-records', dep], ['outcome-signals', sig],
    ] as const) {
      const got = await t.as(key, 'GET', `/api/v2/${path}/${rec.json.id}`);
      expect(got.status).toBe(200);
      expect(await got.json()).toEqual(rec.json);
      const listed = (await (await t.as(key, 'GET', `/api/v2/${path}`)).json()) as { data: { id: string }[] };
      expect(listed.data.map((r) => r.id)).toContain(rec.json.id);
    }

    const byParent = (await (await t.as(key, 'GET', `/api/v2/annotations?interaction_event_id=${ev.json.id}&label=ux`)).json()) as { data: unknown[] };
    expect(byParent.data).toHaveLength(1);
    const noMatch = (await (await t.as(key, 'GET', `/api/v2/decision-records?outcome=deferred`)).json()) as { data: unknown[] };
    expect(noMatch.data).toHaveLength(0);
  });

  it('refuses references to records that do not exist with a 422 naming the field', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const [path, body, pointer] of [
      ['annotations', { interaction_event_id: missing, body: 'x' }, '/interaction_event_id'],
      ['requirement-candidates', { title: 't', category: 'c', source_annotation_ids: [missing] }, '/source_annotation_ids/0'],
      ['decision-records', { requirement_candidate_id: missing, outcome: 'accepted', decided_by: 'x', decided_at: '2026-01-01T00:00:00Z' }, '/requirement_candidate_id'],
      ['deployment-records', { decision_record_id: missing, version: '1', environment: 'p', deployed_at: '2026-01-01T00:00:00Z', status: 'failed' }, '/decision_record_id'],
      ['outcome-signals', { deployment_record_id: missing, metric: 'm', value: 1, observed_at: '2026-01-01T00:00:00Z' }, '/deployment_record_id'],
    ] as const) {
      const res = await t.as(key, 'POST', `/api/v2/${path}`, body);
      expect(res.status, path).toBe(422);
      const problem = await readProblem(res);
      expect(problem.code).toBe('invalid_reference');
      expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', pointer })]);
    }
    const unknownType = await t.as(key, 'POST', '/api/v2/interaction-events', {
      event_type: 'teleported', subject_id: 's', actor_id: 'a', occurred_at: '2026-01-01T00:00:00Z',
    });
    expect(unknownType.status).toBe(422);
    expect((await readProblem(unknownType)).errors).toEqual([expect.objectContaining({ pointer: '/event_type' })]);
    const get404 = await t.as(key, 'GET', `/api/v2/outcome-signals/${missing}`);
    expect(get404.status).toBe(404);
    expect((await readProblem(get404)).code).toBe('not_found');
  });

  it('pages through a list with opaque cursors, newest first, and filters on creation time', async () => {
    const before = new Date().toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await post('/api/v2/interaction-events', { event_type: 'viewed', subject_id: 'page-test', actor_id: `a${i}`, occurred_at: before })).json.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v2/interaction-events?subject_id=page-test&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await (await t.as(key, 'GET', q)).json()) as { data: { id: string }[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((d) => d.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const future = (await (await t.as(key, 'GET', `/api/v2/interaction-events?created_after=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json()) as { data: unknown[] };
    expect(future.data).toEqual([]);
    const bad = await t.as(key, 'GET', '/api/v2/interaction-events?cursor=not-a-cursor');
    expect(bad.status).toBe(422);
  });
});

describe('records: batch ingest', () => {
  it('stores 1,000 events in request order and answers 201 with all of them', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => ({
      event_type: i % 2 ? 'viewed' : 'clicked', subject_id: `s${i}`, actor_id: 'batch', occurred_at: '2026-11-25T10:00:00Z', properties: { i },
    }));
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { data: { subject_id: string; properties: { i: number } }[] };
    expect(body.data).toHaveLength(1000);
    expect(body.data.map((e) => e.properties.i)).toEqual(events.map((_, i) => i));
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events WHERE actor_id = 'batch'`;
    expect(row!.n).toBe(1000);
  });

  it('stores nothing when one event is invalid, and lists each failing index', async () => {
    const events = Array.from({ length: 10 }, (_, i) => ({
      event_type: i === 3 || i === 7 ? 'levitated' : 'viewed', subject_id: 's', actor_id: 'all-or-nothing', occurred_at: '2026-11-25T10:00:00Z',
    }));
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect((problem.errors as { pointer: string }[]).map((e) => e.pointer)).toEqual(['/events/3/event_type', '/events/7/event_type']);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events WHERE actor_id = 'all-or-nothing'`;
    expect(row!.n).toBe(0);
  });

  it('answers with the stored ids, creation time and UTC occurred_at of each event', async () => {
    const events = [
      { event_type: 'clicked', subject_id: 'tz', actor_id: 'wire', occurred_at: '2026-11-25T12:30:00.250+02:00', properties: { a: 1 } },
      { event_type: 'viewed', subject_id: 'tz', actor_id: 'wire', occurred_at: '2026-11-25T10:00:00Z' },
    ];
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(201);
    const { data } = (await res.json()) as { data: { id: string; created_at: string; occurred_at: string; properties: unknown }[] };
    expect(data.map((e) => e.occurred_at)).toEqual(['2026-11-25T10:30:00.250Z', '2026-11-25T10:00:00.000Z']);
    expect(data.map((e) => e.properties)).toEqual([{ a: 1 }, {}]);
    for (const e of data) {
      const got = await t.as(key, 'GET', `/api/v2/interaction-events/${e.id}`);
      expect(await got.json()).toEqual(e);
    }
  });

  it('refuses a batch whose event carries properties over 16 KB, naming the event', async () => {
    const events = [
      { event_type: 'viewed', subject_id: 's', actor_id: 'too-big', occurred_at: '2026-11-25T10:00:00Z' },
      { event_type: 'viewed', subject_id: 's', actor_id: 'too-big', occurred_at: '2026-11-25T10:00:00Z', properties: { blob: 'é'.repeat(8200) } },
    ];
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/events/1/properties' })]);
    const single = await t.as(key, 'POST', '/api/v2/interaction-events', events[1]);
    expect(single.status).toBe(422);
    expect((await readProblem(single)).errors).toEqual([expect.objectContaining({ pointer: '/properties' })]);
    const [row] = await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events WHERE actor_id = 'too-big'`;
    expect(row!.n).toBe(0);
  });

  it('refuses an empty batch and one over 1,000 events', async () => {
    expect((await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events: [] })).status).toBe(422);
    const tooMany = Array.from({ length: 1001 }, () => ({ event_type: 'viewed', subject_id: 's', actor_id: 'a', occurred_at: '2026-11-25T10:00:00Z' }));
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events: tooMany });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/events' })]);
  });
});

describe('records: the interaction type registry', () => {
  it('lists the registry by name in pages, { data, next_cursor }', async () => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.as(key, 'GET', `/api/v2/interaction-types?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { data: { name: string }[]; next_cursor: string | null };
      expect(page.data.length).toBeLessThanOrEqual(2);
      names.push(...page.data.map((d) => d.name));
      cursor = page.next_cursor;
    } while (cursor);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['clicked', 'dismissed', 'errored', 'submitted', 'viewed']));
    const forged = await t.as(key, 'GET', `/api/v2/interaction-types?cursor=${Buffer.from("x' OR 1=1").toString('base64url')}`);
    expect(forged.status).toBe(422);
    expect((await readProblem(forged)).errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/cursor' })]);
  });

  it('lets an operator register a new interaction type, which events may then use', async () => {
    const before = await t.as(key, 'POST', '/api/v2/interaction-events', { event_type: 'scrolled', subject_id: 's', actor_id: 'a', occurred_at: '2026-11-25T10:00:00Z' });
    expect(before.status).toBe(422);
    const added = await t.admin('POST', '/api/v2/admin/interaction-types', { name: 'scrolled', description: 'Scrolled into view' });
    expect(added.status).toBe(201);
    expect(await added.json()).toMatchObject({ name: 'scrolled', description: 'Scrolled into view' });
    const again = await t.admin('POST', '/api/v2/admin/interaction-types', { name: 'scrolled' });
    expect(again.status).toBe(409);
    expect((await readProblem(again)).code).toBe('conflict');
    const listed = (await (await t.as(key, 'GET', '/api/v2/interaction-types')).json()) as { data: { name: string }[] };
    expect(listed.data.map((d) => d.name)).toEqual(['clicked', 'dismissed', 'errored', 'scrolled', 'submitted', 'viewed']);
    expect(listed).toMatchObject({ next_cursor: null });
    const after = await t.as(key, 'POST', '/api/v2/interaction-events', { event_type: 'scrolled', subject_id: 's', actor_id: 'a', occurred_at: '2026-11-25T10:00:00Z' });
    expect(after.status).toBe(201);
    const notAdmin = await t.as(key, 'POST', '/api/v2/admin/interaction-types', { name: 'hovered' });
    expect(notAdmin.status).toBe(403);
    const badName = await t.admin('POST', '/api/v2/admin/interaction-types', { name: 'Not Valid' });
    expect(badName.status).toBe(422);
    expect((await readProblem(badName)).errors).toEqual([expect.objectContaining({ pointer: '/name' })]);
  });
});
