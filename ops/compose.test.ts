// compose.yaml against the Compose Specification's JSON schema (compose-spec.json as dclint
// ships it, tracking compose-spec/compose-spec), and the topology docs/operations.md describes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaFile = join(dirname(createRequire(import.meta.url).resolve('dclint/package.json')), 'schemas/compose.schema.json');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
// The schema names draft-07 by its https alias; ajv registers the meta-schema as http://…#.
const validate = new Ajv({ allErrors: true }).compile({ ...schema, $schema: 'http://json-schema.org/draft-07/schema#' });
// Compose reads YAML merge keys (`<<: *app`); the yaml package resolves them when asked.
const compose = parse(readFileSync(join(root, 'compose.yaml'), 'utf8'), { merge: true });

describe('compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('would be refused by the schema with a misspelt, mistyped or unknown value', () => {
    const misspelt = structuredClone(compose);
    misspelt.services.api.replica = 2;
    expect(validate(misspelt)).toBe(false);
    const mistyped = structuredClone(compose);
    mistyped.services.worker.cap_drop = 'ALL';
    expect(validate(mistyped)).toBe(false);
    const unknown = structuredClone(compose);
    unknown.services.api.depends_on.migrate.condition = 'service_done';
    expect(validate(unknown)).toBe(false);
  });

  it('runs two API replicas and two webhook workers of the image the migration builds', () => {
    const { migrate, api, worker } = compose.services;
    expect(migrate.build.dockerfile).toBe('Dockerfile');
    expect(migrate.command).toEqual(['node', 'dist/migrate-cli.js']);
    for (const [service, role] of [[api, 'api'], [worker, 'worker']] as const) {
      expect(service.image).toBe(migrate.image);
      expect(service.environment.IHF_ROLE).toBe(role);
      expect(service.deploy.replicas).toBe(2);
      expect(service.depends_on.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(service.depends_on.postgres).toEqual({ condition: 'service_healthy' });
      expect(service).toMatchObject({ user: '1000:1000', read_only: true, cap_drop: ['ALL'] });
    }
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('gives PostgreSQL and Redis healthchecks', () => {
    expect(compose.services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(compose.services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });
});
