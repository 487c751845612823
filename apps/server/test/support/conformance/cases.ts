// Requests for one operation, generated from its spec entry: valid ones on real rows, and
// invalid ones that each break one thing (credential, scope, path id, query, header, body).
import { randomUUID } from 'node:crypto';
import type { Fixtures } from './fixtures.js';
import { deref, type Operation, type Parameter, type Schema } from './spec.js';
import { invalidScalars, invalidValues, validScalar, validValue } from './values.js';

export interface Case {
  op: Operation;
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

const OVERSIZED = JSON.stringify({ padding: 'x'.repeat(1_100_000) });
type Auth = 'public' | 'admin' | 'client' | 'consumer';

function authOf(op: Operation): Auth {
  if (!op.security || op.security.length === 0) return 'public';
  if (op.security.some((s) => 'clientSecretBasic' in s)) return 'client';
  return op.scopes.includes('admin') ? 'admin' : 'consumer';
}

/** The row a path parameter names: destructive operations get their own victims. */
function pathValue(op: Operation, name: string, f: Fixtures): string {
  const destroys = op.method === 'DELETE' || op.path.endsWith('/deactivate');
  const own = f.ids[`${op.path.split('/').pop()}:${name}`];
  if (own) return own;
  if (name === 'id') return f.ids[`${destroys ? 'victim' : 'record'}:${op.path.split('/')[3]}`] ?? randomUUID();
  return (destroys && f.ids[`victim:${name}`]) || f.ids[name] || randomUUID();
}

/** Real ids for id fields a sampled body or query carries (the schema examples name no real rows). */
function overrides(op: Operation, f: Fixtures): Record<string, unknown> {
  const hour = 3600_000;
  return {
    ...f.ids,
    source_annotation_ids: [f.ids.annotationId],
    target_url: f.targetUrl,
    since: new Date(Date.now() - hour).toISOString(),
    expires_at: new Date(Date.now() + 30 * 24 * hour).toISOString(),
    from: new Date(Date.now() - 24 * hour).toISOString(),
    to: new Date(Date.now() + hour).toISOString(),
    token: op.path.endsWith('/revoke') ? f.ids['victim:token'] : f.creds.oauth,
    // The valid token requests authenticate by Basic; body credentials as well would be a 400.
    client_id: undefined,
    client_secret: undefined,
  };
}

function withOverrides(value: unknown, o: Record<string, unknown>): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const k of Object.keys(out)) if (k in o) out[k] = o[k];
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function credentials(op: Operation, f: Fixtures): { valid: [string, Record<string, string>][]; invalid: [string, Record<string, string>][] } {
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const none: [string, Record<string, string>] = ['no credential', {}];
  const garbage: [string, Record<string, string>] = ['unknown credential', bearer('ihfk_' + 'A'.repeat(43))];
  const { creds } = f;
  const malformed: [string, Record<string, string>][] = [
    ['bearer without a token', { authorization: 'Bearer' }],
    ['basic on a bearer route', { authorization: `Basic ${creds.basic}` }],
    ['8 KiB token', bearer('ihfk_' + 'B'.repeat(8192))],
    ['unknown scheme', { authorization: `Token ${creds.key}` }],
  ];
  switch (authOf(op)) {
    case 'public':
      return { valid: [['no credential', {}], ['with a key', bearer(creds.key)]], invalid: [garbage] };
    case 'admin':
      return { valid: [['admin token', bearer(creds.admin)]], invalid: [none, garbage, ['consumer key on admin route', bearer(creds.key)], ...malformed] };
    case 'client':
      return {
        valid: [['client_secret_basic', { authorization: `Basic ${creds.basic}` }]],
        invalid: [none, ['wrong basic secret', { authorization: `Basic ${Buffer.from(`${randomUUID()}:nope`).toString('base64')}` }], ['bearer instead of basic', bearer(creds.key)]],
      };
    case 'consumer': {
      const own = op.path.endsWith('/portal-sessions/current') ? f.ids['victim:portal']! : creds.key;
      return {
        valid: [['static key', bearer(own)], ['oauth token', bearer(creds.oauth)], ['portal credential', bearer(creds.portal)]],
        invalid: [none, garbage, ['key without the scope', bearer(creds.narrowKey)], ['admin token on consumer route', bearer(creds.admin)], ...malformed],
      };
    }
  }
}

function query(params: Parameter[], values: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const p of params) if (p.name in values) q.set(p.name, values[p.name]!);
  return q.toString();
}

/** Every request the walk sends for one operation. */
export function casesFor(op: Operation, f: Fixtures): Case[] {
  const o = overrides(op, f);
  const { valid: goodCreds, invalid: badCreds } = credentials(op, f);
  const auth = goodCreds[0]![1];
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const idem = op.parameters.some((p) => p.in === 'header' && p.name === 'idempotency-key');
  const scalar = (p: Parameter) => (typeof o[p.name] === 'string' ? (o[p.name] as string) : validScalar(p.schema));
  const pathWith = (patch: Record<string, string> = {}) =>
    op.path.replace(/\{(\w+)\}/g, (_, n: string) => encodeURIComponent(patch[n] ?? pathValue(op, n, f)));
  const requiredQuery = Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, scalar(p)]));

  const [mediaType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
  const bodySchema = media?.schema ? deref(media.schema) : undefined;
  const form = mediaType === 'application/x-www-form-urlencoded';
  const validBody = bodySchema ? (withOverrides(validValue(bodySchema), o) as Record<string, unknown>) : undefined;
  const encode = (b: unknown) => (form ? new URLSearchParams(Object.entries(b as Record<string, unknown>).map(([k, v]) => [k, String(v)])).toString() : JSON.stringify(b));

  const cases: Case[] = [];
  const add = (label: string, c: Partial<Omit<Case, 'op' | 'label'>> & { query?: Record<string, string>; extraQuery?: string } = {}) => {
    const headers: Record<string, string> = { ...auth, ...(idem ? { 'idempotency-key': randomUUID() } : {}), ...c.headers };
    let body = c.body;
    if (body === undefined && validBody !== undefined && !('body' in c)) body = encode(validBody);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = mediaType ?? 'application/json';
    for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k];
    const q = [query(queryParams, c.query ?? requiredQuery), c.extraQuery ?? ''].filter(Boolean).join('&');
    cases.push({ op, label, method: op.method, path: (c.path ?? pathWith()) + (q ? `?${q}` : ''), headers, body });
  };

  for (const [name, headers] of goodCreds) add(`valid, ${name}`, { headers });
  for (const [name, headers] of badCreds) add(name, { headers: { authorization: '', ...headers } });
  for (const p of pathParams) {
    add(`${p.name}: unknown id`, { path: pathWith({ [p.name]: randomUUID() }) });
    for (const [why, v] of invalidScalars(p.schema).filter(([w]) => w !== 'empty')) add(`${p.name}: ${why}`, { path: pathWith({ [p.name]: v }) });
  }
  for (const p of queryParams) {
    add(`query ${p.name}: valid`, { query: { ...requiredQuery, [p.name]: scalar(p) } });
    for (const [why, v] of invalidScalars(p.schema)) add(`query ${p.name}: ${why}`, { query: { ...requiredQuery, [p.name]: v } });
    const v = encodeURIComponent(scalar(p));
    add(`query ${p.name}: repeated`, { extraQuery: `${p.name}=${v}&${p.name}=${v}` });
    add(`query ${p.name}: bracket syntax`, { query: {}, extraQuery: `${p.name}[x]=${v}` });
    add(`query ${p.name}: array syntax`, { query: {}, extraQuery: `${p.name}[]=${v}` });
    if (p.required) add(`query ${p.name}: missing`, { query: Object.fromEntries(Object.entries(requiredQuery).filter(([k]) => k !== p.name)) });
  }
  add('unknown query parameter', { extraQuery: 'no_such_param=1' });
  add('Accept: application/xml', { headers: { accept: 'application/xml' } });
  if (idem) {
    add('idempotency-key over 255 chars', { headers: { 'idempotency-key': 'k'.repeat(256) } });
    // The same key twice, the second time with another body: a replay, 409 in progress or 422 reused.
    const key = randomUUID();
    add('idempotency-key, first use', { headers: { 'idempotency-key': key } });
    add('idempotency-key, reused with another body', { headers: { 'idempotency-key': key }, body: '{"other":true}' });
  }

  if (bodySchema && validBody) {
    const props = (bodySchema.properties ?? {}) as Record<string, Schema>;
    const required = new Set((bodySchema.required ?? []) as string[]);
    for (const [name, schema] of Object.entries(props)) {
      if (required.has(name)) add(`body ${name}: missing`, { body: encode(Object.fromEntries(Object.entries(validBody).filter(([k]) => k !== name))) });
      else add(`body ${name}: valid`, { body: encode({ ...validBody, [name]: name in o ? o[name] : validValue(schema) }) });
      for (const [why, v] of invalidValues(schema)) add(`body ${name}: ${why}`, { body: encode({ ...validBody, [name]: v }) });
    }
    add('body: unknown property', { body: encode({ ...validBody, no_such_field: 1 }) });
    add('body: empty', { body: '' });
    add('body: none', { body: undefined, headers: { 'content-type': '' } });
    add('body: oversized', { body: form ? `grant_type=${'x'.repeat(1_100_000)}` : OVERSIZED });
    add('body: text/plain', { headers: { 'content-type': 'text/plain' } });
    add('body: unknown content-encoding', { headers: { 'content-encoding': 'br' } });
    add('body: gzip that is not gzip', { headers: { 'content-encoding': 'gzip' } });
    add('body: unsupported charset', { headers: { 'content-type': `${mediaType}; charset=latin1` } });
    add('body: invalid UTF-8', { body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]) });
    add('body: multipart', { headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' });
    if (form) add('body: JSON instead of a form', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(validBody) });
    else {
      add('body: malformed JSON', { body: '{"unterminated": ' });
      add('body: __proto__ key', { body: `{"__proto__":{"polluted":true},${JSON.stringify(validBody).slice(1)}` });
      add('body: deeply nested', { body: `${'['.repeat(5000)}${']'.repeat(5000)}` });
      add('body: array', { body: '[]' });
      add('body: string', { body: '"text"' });
      add('body: form instead of JSON', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
      add('body: charset parameter', { headers: { 'content-type': 'application/json; charset=utf-8' } });
    }
  } else if (op.method !== 'GET') {
    add('unexpected JSON body', { headers: { 'content-type': 'application/json' }, body: '{"unexpected":true}' });
    add('unexpected text body', { headers: { 'content-type': 'text/plain' }, body: 'hello' });
    add('malformed JSON body', { headers: { 'content-type': 'application/json' }, body: '{' });
  }
  return cases;
}
