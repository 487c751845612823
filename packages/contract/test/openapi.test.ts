import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { commonResponses } from '../src/common.js';
import { contract } from '../src/index.js';
import { buildOpenApiDocument, documentServedFrom } from '../src/openapi.js';
import { flattenRoutes } from '../src/routes.js';

type Operation = Record<string, unknown> & { responses: Record<string, { content?: Record<string, unknown> }> };
const committed = JSON.parse(readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
  servers: { url: string }[];
  info: Record<string, unknown>;
};

type Schema = { $ref?: string; properties?: Record<string, unknown> };
const schemas = (committed as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas;
/** The JSON schema of an operation's answer of a status, its $ref resolved. */
function schemaOf(op: Operation, status: string): Schema | undefined {
  const schema = (op.responses[status]?.content?.['application/json'] as { schema?: Schema } | undefined)?.schema;
  return schema?.$ref ? schemas[schema.$ref.split('/').pop()!] : schema;
}

/** `/api/v2/x/:id` as the spec writes it, `/api/v2/x/{id}`. */
const specPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

describe('the generated OpenAPI document', () => {
  it('is committed exactly as the contract generates it (no drift)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('carries the contract package’s version as the API document’s, so a changeset bumps both', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect((committed as unknown as { info: { version: string } }).info.version).toBe(pkg.version);
  });

  it('validates with swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(committed) as never)).resolves.toBeTruthy();
  });

  it('gives every operation an operationId, a summary, a tag, security and problem responses', () => {
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(committed.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z0-9]+$/);
        expect(ids.has(op.operationId as string), `duplicate operationId at ${where}`).toBe(false);
        ids.add(op.operationId as string);
        expect(op.summary, where).toBeTruthy();
        expect((op.tags as string[]).length, where).toBe(1);
        expect(op.security, where).toBeDefined();
        expect(Object.keys(op.responses['500']?.content ?? {}), where).toEqual(['application/problem+json']);
      }
    }
    expect(committed.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('declares the token endpoints’ client authentication and the client credentials flow', () => {
    const schemes = committed.components.securitySchemes;
    expect(schemes.clientSecretBasic).toMatchObject({ type: 'http', scheme: 'basic' });
    expect(schemes.oauth2).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/api/v2/token' } } });
    const schemas = (committed.components as unknown as { schemas: Record<string, { properties: object }> }).schemas;
    expect(Object.keys(schemas.TokenRequest!.properties)).toEqual(expect.arrayContaining(['client_id', 'client_secret']));
  });

  it('names no host that serves nothing: the server is relative, and info has no placeholder links', () => {
    expect(committed.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(JSON.stringify(committed.info)).not.toMatch(/https?:/);
    const served = documentServedFrom(buildOpenApiDocument(), 'http://127.0.0.1:3000/');
    expect(served.servers).toEqual([{ url: 'http://127.0.0.1:3000', description: 'This server' }]);
    expect(served.components?.securitySchemes?.oauth2).toMatchObject({ flows: { clientCredentials: { tokenUrl: 'http://127.0.0.1:3000/api/v2/token' } } });
  });

  it('documents each route as its metadata says: tag, security, required scopes, common errors', () => {
    const routes = flattenRoutes(contract);
    const operations = Object.values(committed.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
    expect(operations).toBe(routes.length);
    for (const route of routes) {
      const where = `${route.method} ${route.path}`;
      const op = committed.paths[specPath(route.path)]?.[route.method.toLowerCase()];
      expect(op, where).toBeDefined();
      const { auth, tag } = route.metadata;
      expect(op!.tags, where).toEqual([tag]);
      const scopes = auth.kind === 'admin' ? ['admin'] : auth.kind === 'consumer' ? [...auth.scopes] : [];
      const token = route.path.startsWith('/api/v2/token');
      const security = token ? [{ clientSecretBasic: [] }, {}] : auth.kind === 'public' ? [] : [{ bearerAuth: [] }, { oauth2: scopes }];
      expect(op!.security, where).toEqual(security);
      expect(op!['x-required-scopes'], where).toEqual(scopes.length > 0 ? scopes : undefined);
      if (token) expect(op!['x-client-authentication'], where).toEqual(['client_secret_basic', 'client_secret_post']);
      for (const status of Object.keys(commonResponses)) {
        const content = Object.keys(op!.responses[status]?.content ?? {});
        // OAuth endpoints answer 400 and 401 as RFC 6749 §5.2 JSON.
        const json = tag === 'OAuth' && (status === '400' || status === '401');
        expect(content, `${where} ${status}`).toEqual([json ? 'application/json' : 'application/problem+json']);
      }
    }
  });

  it('lets every POST that creates be retried safely: Idempotency-Key declared, 409 while the first runs', () => {
    // OAuth's token endpoint (RFC 6749) is left as clients of that protocol expect it.
    const creates = flattenRoutes(contract).filter((r) => r.method === 'POST' && '201' in r.responses && r.metadata.tag !== 'OAuth');
    expect(creates.length).toBeGreaterThan(10);
    for (const route of creates) {
      const where = `${route.method} ${route.path}`;
      expect(route.metadata.idempotent, where).toBe(true);
      const op = committed.paths[specPath(route.path)]![route.method.toLowerCase()]!;
      const parameters = (op.parameters ?? []) as { in: string; name: string }[];
      expect(parameters.some((p) => p.in === 'header' && p.name === 'idempotency-key'), where).toBe(true);
      expect(op.responses['409'], where).toBeDefined();
      // An answer that shows a key or a secret once is kept for replays only sealed.
      const props = Object.keys(schemaOf(op, '201')?.properties ?? {});
      expect(props.length, where).toBeGreaterThan(0);
      if (props.some((p) => ['key', 'secret', 'url'].includes(p))) expect(route.metadata.answersSecret, where).toBe(true);
    }
  });

  it('answers every list as { data, next_cursor }', () => {
    for (const [path, ops] of Object.entries(committed.paths)) {
      const props = (ops.get && schemaOf(ops.get, '200')?.properties) ?? {};
      const data = props.data as { type?: string } | undefined;
      if (data?.type !== 'array') continue;
      // Series bounded by their time range (usage, webhook stats) carry from/to instead, and say so.
      if (!('next_cursor' in props) && 'from' in props && 'to' in props) {
        expect(ops.get!.description, path).toMatch(/not paginated/i);
        continue;
      }
      expect(Object.keys(props), path).toContain('next_cursor');
    }
  });
});
