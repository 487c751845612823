// Client input PostgreSQL cannot store (U+0000, year 0000, properties over the column's
// cap as the database measures it) is a 422 naming the field, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';
import { RECORD_SCOPES } from './support/scopes.js';

let t: TestServer;
let key: string;
const ids: Record<'event' | 'candidate' | 'decision' | 'deployment', string> = { event: '', candidate: '', decision: '', deployment: '' };
const NUL = 'a\u0000b';
const YEAR_ZERO = '0000-01-01T00:00:00Z';

async function created(path: string, body: unknown): Promise<string> {
  const res = await t.as(key, 'POST', `/api/v2/${path}`, body);
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  t = await startTestServer({ env: { LOG_LEVEL: 'error' } });
  // This file sends far more requests a second than a consumer's default burst allows.
  key = (await t.consumerWithKey([...RECORD_SCOPES], { rate_limit_per_minute: 100_000, burst_threshold: 100_000 })).key;
  // Valid parents, so that the field under test is the only thing wrong with a request.
  ids.event = await created('interaction-events', { event_type: 'clicked', subject_id: 's', actor_id: 'a', occurred_at: '2026-01-01T00:00:00Z' });
  const annotation = await created('annotations', { interaction_event_id: ids.event, body: 'b' });
  ids.candidate = await created('requirement-candidates', { title: 't', category: 'c', source_annotation_ids: [annotation] });
  ids.decision = await created('decision-records', { requirement_candidate_id: ids.candidate, outcome: 'accepted', decided_by: 'x', decided_at: '2026-01-01T00:00:00Z' });
  ids.deployment = await created('deployment-records', { decision_record_id: ids.decision, version: '1', environment: 'p', deployed_at: '2026-01-01T00:00:00Z', status: 'succeeded' });
});
afterAll(() => t.close());

const event = (extra: Record<string, unknown> = {}) => ({
  event_type: 'viewed', subject_id: 's', actor_id: 'input', occurred_at: '2026-01-01T00:00:00Z', ...extra,
});

const valid: Record<string, () => Record<string, unknown>> = {
  'interaction-events': () => event(),
  annotations: () => ({ body: 'b', labels: ['ok'] }),
  'requirement-candidates': () => ({ title: 't', description: 'd', category: 'c' }),
  'decision-records': () => ({ requirement_candidate_id: ids.candidate, outcome: 'accepted', rationale: 'r', decided_by: 'x', decided_at: '2026-01-01T00:00:00Z' }),
  'deployment-records': () => ({ decision_record_id: ids.decision, version: '1', environment: 'p', deployed_at: '2026-01-01T00:00:00Z', status: 'succeeded' }),
  'outcome-signals': () => ({ deployment_record_id: ids.deployment, metric: 'm', value: 1, unit: 'u', observed_at: '2026-01-01T00:00:00Z' }),
};

/** A 422 problem document whose only field error is at `pointer`. */
async function expectRefused(res: Response, pointer: string, location = 'body') {
  const text = await res.clone().text();
  expect(res.status, text).toBe(422);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = await readProblem(res);
  expect(problem.code).toBe('validation_failed');
  expect(problem.errors, text).toEqual([expect.objectContaining({ location, pointer })]);
}

const storedBy = async (actor: string) =>
  (await t.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events WHERE actor_id = ${actor}`)[0]!.n;

describe('U+0000 in text input', () => {
  it.each([
    ['interaction-events', { subject_id: NUL }, '/subject_id'],
    ['interaction-events', { actor_id: NUL }, '/actor_id'],
    ['interaction-events', { properties: { note: NUL } }, '/properties/note'],
    ['interaction-events', { properties: { list: ['ok', { deep: NUL }] } }, '/properties/list/1/deep'],
    ['interaction-events', { properties: { [NUL]: 1 } }, `/properties/${NUL}`],
    ['annotations', { body: NUL }, '/body'],
    ['annotations', { labels: ['ok', NUL] }, '/labels/1'],
    ['requirement-candidates', { title: NUL }, '/title'],
    ['requirement-candidates', { description: NUL }, '/description'],
    ['requirement-candidates', { category: NUL }, '/category'],
    ['decision-records', { rationale: NUL }, '/rationale'],
    ['decision-records', { decided_by: NUL }, '/decided_by'],
    ['deployment-records', { version: NUL }, '/version'],
    ['deployment-records', { environment: NUL }, '/environment'],
    ['outcome-signals', { metric: NUL }, '/metric'],
    ['outcome-signals', { unit: NUL }, '/unit'],
  ] as const)('POST /%s refuses %j at its pointer', async (path, fields, pointer) => {
    await expectRefused(await t.as(key, 'POST', `/api/v2/${path}`, { ...valid[path]!(), ...fields }), pointer);
  });

  it('refuses a batch naming each failing event, and stores none of it', async () => {
    const events = [
      event({ actor_id: 'nul-batch' }),
      event({ actor_id: 'nul-batch', subject_id: NUL }),
      event({ actor_id: 'nul-batch', properties: { x: NUL } }),
    ];
    const res = await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events });
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect((problem.errors as { pointer: string }[]).map((e) => e.pointer).sort()).toEqual(['/events/1/subject_id', '/events/2/properties/x']);
    expect(await storedBy('nul-batch')).toBe(0);
  });

  it.each([
    ['interaction-events', 'subject_id'],
    ['interaction-events', 'actor_id'],
    ['annotations', 'label'],
    ['requirement-candidates', 'category'],
    ['deployment-records', 'environment'],
    ['outcome-signals', 'metric'],
  ])('GET /%s refuses U+0000 in ?%s', async (path, param) => {
    await expectRefused(await t.as(key, 'GET', `/api/v2/${path}?${param}=a%00b`), `/${param}`, 'query');
  });

  it('still accepts a backslash-u sequence that is only text', async () => {
    const res = await t.as(key, 'POST', '/api/v2/interaction-events', event({ subject_id: '\\u0000', properties: { note: '\\u0000' } }));
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ subject_id: '\\u0000', properties: { note: '\\u0000' } });
  });
});

describe('unpaired surrogates in properties', () => {
  it('refuses one with a pointer (jsonb has no form for it)', async () => {
    await expectRefused(await t.as(key, 'POST', '/api/v2/interaction-events', event({ properties: { s: 'x\ud800' } })), '/properties/s');
  });
});

describe('timestamps PostgreSQL cannot take', () => {
  it.each([
    ['interaction-events', 'occurred_at'],
    ['decision-records', 'decided_at'],
    ['deployment-records', 'deployed_at'],
    ['outcome-signals', 'observed_at'],
  ])('POST /%s refuses year 0000 in %s', async (path, field) => {
    await expectRefused(await t.as(key, 'POST', `/api/v2/${path}`, { ...valid[path]!(), [field]: YEAR_ZERO }), `/${field}`);
  });

  it.each([
    // PostgreSQL takes these, but the driver reads years before 100 back as 19xx or 20xx.
    '0001-01-01T00:00:00Z',
    '0099-12-31T23:59:59.999Z',
    // The instant, not the written date, has to fall in years 100 to 9999.
    '0100-01-01T00:30:00+01:00',
    '9999-12-31T23:59:59-10:00',
    // Offsets beyond ±23:59 are no instant at all.
    '2026-01-01T00:00:00+24:00',
    '2026-01-01T00:00:00+01:60',
  ])('refuses occurred_at %s', async (occurredAt) => {
    await expectRefused(await t.as(key, 'POST', '/api/v2/interaction-events', event({ occurred_at: occurredAt })), '/occurred_at');
  });

  it('refuses year 0000 in a batch, naming the event, and stores none of it', async () => {
    const events = [event({ actor_id: 'year-zero' }), event({ actor_id: 'year-zero', occurred_at: YEAR_ZERO })];
    await expectRefused(await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events }), '/events/1/occurred_at');
    expect(await storedBy('year-zero')).toBe(0);
  });

  it.each(['created_after', 'created_before'])('refuses ?%s in year 0000', async (param) => {
    await expectRefused(await t.as(key, 'GET', `/api/v2/interaction-events?${param}=${YEAR_ZERO}`), `/${param}`, 'query');
  });

  it.each([
    ['0100-01-01T00:00:00Z', '0100-01-01T00:00:00.000Z'],
    ['0100-01-01T01:30:00+01:00', '0100-01-01T00:30:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
    ['9999-12-31T13:00:00-10:00', '9999-12-31T23:00:00.000Z'],
  ])('accepts and reads back the edge instant %s', async (occurredAt, stored) => {
    const res = await t.as(key, 'POST', '/api/v2/interaction-events', event({ occurred_at: occurredAt }));
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { id: string; occurred_at: string };
    expect(body.occurred_at).toBe(stored);
    expect(await (await t.as(key, 'GET', `/api/v2/interaction-events/${body.id}`)).json()).toEqual(body);
  });
});

describe('the properties cap, measured as the database measures it', () => {
  // PostgreSQL's text form of `{"k":"…"}` is `{"k": "…"}`: one byte more than compact JSON.
  const withText = (n: number) => ({ k: 'x'.repeat(n) });
  const CAP = 16_384;
  // Compact JSON under the cap, but a space after every `:` and `,` takes it over.
  const manyMembers = Object.fromEntries(Array.from({ length: 1400 }, (_, i) => [`k${i}`, i]));
  // Numbers are written out in full: 1e300 is 301 digits.
  const bigNumbers = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`n${i}`, 1e300]));

  it('agrees with the column at the boundary', async () => {
    const fits = await t.as(key, 'POST', '/api/v2/interaction-events', event({ actor_id: 'cap-edge', properties: withText(CAP - 9) }));
    expect(fits.status, await fits.clone().text()).toBe(201);
    await expectRefused(
      await t.as(key, 'POST', '/api/v2/interaction-events', event({ actor_id: 'cap-edge', properties: withText(CAP - 8) })),
      '/properties',
    );
    expect(await storedBy('cap-edge')).toBe(1);
  });

  it.each([
    ['many members', manyMembers],
    ['numbers with large exponents', bigNumbers],
  ])('refuses %s whose compact JSON fits, single and batch', async (_, properties) => {
    expect(JSON.stringify(properties).length).toBeLessThan(CAP);
    await expectRefused(await t.as(key, 'POST', '/api/v2/interaction-events', event({ actor_id: 'cap-over', properties })), '/properties');
    const events = [event({ actor_id: 'cap-over' }), event({ actor_id: 'cap-over', properties })];
    await expectRefused(await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events }), '/events/1/properties');
    expect(await storedBy('cap-over')).toBe(0);
  });
});

describe('database constraints a batch breaks', () => {
  it('answer 422 naming the failing event, like a single create', async () => {
    // A constraint validation does not know of stands for any the database may hold.
    await t.sql`ALTER TABLE interaction_events ADD CONSTRAINT interaction_events_subject_id_check1 CHECK (subject_id <> 'forbidden')`;
    try {
      const single = await t.as(key, 'POST', '/api/v2/interaction-events', event({ actor_id: 'db-check', subject_id: 'forbidden' }));
      await expectRefused(single, '/subject_id');
      const events = [event({ actor_id: 'db-check' }), event({ actor_id: 'db-check' }), event({ actor_id: 'db-check', subject_id: 'forbidden' })];
      await expectRefused(await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events }), '/events/2/subject_id');
      expect(await storedBy('db-check')).toBe(0);
    } finally {
      await t.sql`ALTER TABLE interaction_events DROP CONSTRAINT interaction_events_subject_id_check1`;
    }
  });
});

describe('the problem handler, behind validation', () => {
  it('answers 422, not 500, when PostgreSQL refuses a value no schema checked', async () => {
    // The admin consumer's name is not (yet) checked for U+0000; the database refuses it.
    const res = await t.admin('POST', '/api/v2/admin/consumers', { name: NUL });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await readProblem(res)).code).toBe('validation_failed');
  });
});
