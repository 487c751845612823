// Values generated from schemas: valid ones with openapi-sampler (examples, defaults, enums,
// formats), invalid ones by breaking one rule the schema states.
import { randomUUID } from 'node:crypto';
import { sample } from 'openapi-sampler';
import { deref, spec, type Schema } from './spec.js';

/** A valid value for the schema (its example or default where it has one). */
export function validValue(schema: Schema): unknown {
  return sample(schema as never, { skipReadOnly: true, quiet: true }, spec);
}

/** Valid for a query string or path: arrays and objects cannot be sent there. */
export function validScalar(schema: Schema): string {
  const s = deref(schema);
  if (s.enum) return String((s.enum as unknown[])[0]);
  if (s.format === 'uuid') return randomUUID();
  if (s.format === 'date-time') return new Date(Date.now() - 3600_000).toISOString();
  const v = validValue(s);
  return typeof v === 'object' ? '' : String(v);
}

const TYPE_BREAKERS: Record<string, unknown> = {
  string: 12345,
  integer: 'not-an-integer',
  number: 'not-a-number',
  boolean: 'not-a-boolean',
  array: 'not-an-array',
  object: 'not-an-object',
};
const FORMAT_BREAKERS: Record<string, string> = {
  uuid: 'not-a-uuid',
  'date-time': '2026-13-45T99:99:99Z',
  uri: 'not a uri',
};

/** Values that each break one rule of the schema, labelled with the rule. */
export function invalidValues(schema: Schema): [string, unknown][] {
  const s = deref(schema);
  const out: [string, unknown][] = [];
  const type = s.type as string | undefined;
  if (type && type in TYPE_BREAKERS) out.push([`wrong type (${type})`, TYPE_BREAKERS[type]]);
  if (!s.nullable) out.push(['null', null]);
  if (typeof s.format === 'string' && FORMAT_BREAKERS[s.format]) out.push([`bad ${s.format}`, FORMAT_BREAKERS[s.format]!]);
  if (s.enum) out.push(['unknown enum value', 'no_such_value']);
  if (typeof s.maxLength === 'number') out.push(['over maxLength', 'x'.repeat(s.maxLength + 1)]);
  if (typeof s.minLength === 'number' && s.minLength > 0) out.push(['under minLength', '']);
  if (typeof s.pattern === 'string') out.push(['pattern', 'Bad Value\u0000!']);
  if (typeof s.maximum === 'number') out.push(['over maximum', s.maximum + 1]);
  if (typeof s.minimum === 'number') out.push(['under minimum', s.minimum - 1]);
  if (type === 'integer') out.push(['fraction', 1.5], ['over int4', 2 ** 31], ['over 2^53', 2 ** 53 + 2]);
  if (type === 'number') out.push(['huge', 1e308], ['tiny', -1e308]);
  if (type === 'string') out.push(['lone surrogate', '\ud800'], ['control characters', '\u0001\u001f\u007f']);
  if (s.format === 'date-time') out.push(['year 1', '0001-01-01T00:00:00Z'], ['year 9999', '9999-12-31T23:59:59.999Z'], ['offset time', '2026-12-06T10:00:00+14:00'], ['date only', '2026-12-06']);
  if (type === 'array') {
    out.push(['array of wrong items', [{ nested: true }]]);
    if (typeof s.maxItems === 'number') out.push(['over maxItems', Array.from({ length: s.maxItems + 1 }, () => validValue(s.items as Schema))]);
    if (typeof s.minItems === 'number' && s.minItems > 0) out.push(['under minItems', []]);
  }
  return out;
}

/** Strings that break a query or path value of the schema (everything arrives as text there). */
export function invalidScalars(schema: Schema): [string, string][] {
  const s = deref(schema);
  const out: [string, string][] = [['empty', ''], ['very long', 'z'.repeat(600)], ['NUL byte', 'a\u0000b'], ['non-ASCII', 'é☃']];
  if (s.type === 'integer' || s.type === 'number') out.push(['not a number', 'abc'], ['fraction', '1.5'], ['negative', '-1'], ['huge', '1e400'], ['over int4', '2147483648'], ['hex', '0x10']);
  if (s.format === 'date-time') out.push(['year 1', '0001-01-01T00:00:00Z'], ['year 9999', '9999-12-31T23:59:59Z'], ['epoch number', '1796572633'], ['offset time', '2026-12-06T10:00:00+14:00']);
  if (typeof s.maximum === 'number') out.push(['over maximum', String(s.maximum + 1)]);
  if (typeof s.minimum === 'number') out.push(['under minimum', String(s.minimum - 1)]);
  if (s.type === 'boolean') out.push(['not a boolean', 'maybe']);
  if (typeof s.format === 'string' && FORMAT_BREAKERS[s.format]) out.push([`bad ${s.format}`, FORMAT_BREAKERS[s.format]!]);
  if (s.enum) out.push(['unknown enum value', 'no_such_value']);
  if (s.pattern) out.push(['pattern', 'Bad Value!']);
  return out;
}
