// Every request field of every route, fed values its own format refuses (a bad uuid, url,
// email or timestamp, a string over its max length, a non-member of an enum, a value of
// another type): the route's schema refuses each, names the field, and never throws.
// Fields come from the route's zod schemas, so a new route or field is covered unchanged.
import { afterAll, describe, expect, it } from 'vitest';
import type { ZodTypeAny } from 'zod';
import { contract } from '../src/index.js';
import { buildOpenApiDocument } from '../src/openapi.js';
import { flattenRoutes } from '../src/routes.js';
import { allIssues, core, inputWith, KNOWN_LEAVES, leafKind, leaves, MUST_REFUSE, refusedValues, takesAnything, type Leaf } from './support/zod-fields.js';

const PARTS = ['body', 'query', 'pathParams', 'headers'] as const;
const isZod = (s: unknown): s is ZodTypeAny => typeof (s as ZodTypeAny | undefined)?.safeParse === 'function';

const cases = flattenRoutes(contract).flatMap((route) =>
  PARTS.flatMap((part) => {
    const schema = (route as Record<string, unknown>)[part];
    return isZod(schema) ? [{ name: `${route.method} ${route.path} ${part}`, schema }] : [];
  }),
);

const where = (leaf: Leaf) => '/' + leaf.path.join('/');
const total = { fields: 0, values: 0 };
afterAll(() => console.log(`format fuzz: ${cases.length} request schemas, ${total.fields} fields, ${total.values} refused values`));

describe('request schemas refuse values out of each field’s own format', () => {
  it('finds the request schemas of every route', () => {
    expect(cases.length).toBeGreaterThan(flattenRoutes(contract).length);
  });

  it('walks to every parameter the OpenAPI document declares', () => {
    const doc = buildOpenApiDocument();
    const IN = { query: 'query', path: 'pathParams', header: 'headers' } as const;
    let params = 0;
    for (const route of flattenRoutes(contract)) {
      const item = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')] as Record<string, unknown>;
      const op = item[route.method.toLowerCase()] as { parameters?: { name: string; in: keyof typeof IN }[] };
      for (const param of op.parameters ?? []) {
        const schema = (route as Record<string, unknown>)[IN[param.in]];
        const walked = isZod(schema) ? leaves(schema).map((l) => String(l.path[0]).toLowerCase()) : [];
        expect(walked, `${route.method} ${route.path}: ${param.in} ${param.name}`).toContain(param.name.toLowerCase());
        params++;
      }
    }
    expect(params).toBeGreaterThan(100);
  });

  it.each(cases)('$name', ({ schema }) => {
    for (const leaf of leaves(schema)) {
      expect(KNOWN_LEAVES, `${where(leaf)}: a ${leafKind(leaf.schema)} the walker does not know`).toContain(leafKind(leaf.schema));
      if (takesAnything(leaf.schema)) continue;
      const refused = refusedValues(leaf.schema);
      expect(refused.length, `${where(leaf)}: no value found that its format refuses`).toBeGreaterThan(0);
      total.fields++;
      for (const value of refused) {
        const input = inputWith(leaf, value);
        let result: ReturnType<ZodTypeAny['safeParse']> | undefined;
        expect(() => (result = schema.safeParse(input)), `${where(leaf)} = ${JSON.stringify(value)}`).not.toThrow();
        expect(result!.success, `${where(leaf)} = ${JSON.stringify(value)} was accepted`).toBe(false);
        const paths = allIssues(result!.error!).map((i) => '/' + i.path.join('/'));
        expect(paths, `${where(leaf)} = ${JSON.stringify(value)}: the error names another field`).toContain(where(leaf));
        total.values++;
      }
    }
  });

  it('every uuid, url, email and timestamp field refuses the values its format never allows', () => {
    let formatted = 0;
    for (const { schema } of cases) {
      for (const leaf of leaves(schema)) {
        const checks = ((core(leaf.schema)._def as { checks?: { kind: string; regex?: RegExp }[] }).checks ?? []);
        // Timestamps are a RegExp subclass carrying the format (common.ts): named by their message.
        const formats = checks.flatMap((c) => (c.kind in MUST_REFUSE ? [c.kind] : c.kind === 'regex' && /RFC 3339/.test((c as { message?: string }).message ?? '') ? ['datetime'] : []));
        for (const format of formats) {
          formatted++;
          for (const value of MUST_REFUSE[format]!) {
            expect(leaf.schema.safeParse(value).success, `${where(leaf)} (${format}) accepted ${JSON.stringify(value)}`).toBe(false);
          }
        }
      }
    }
    expect(formatted).toBeGreaterThan(10);
  });
});
