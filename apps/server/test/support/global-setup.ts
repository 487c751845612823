// Once per test run: a PostgreSQL (DATABASE_URL, or an embedded one in a temp dir) and a
// template database with every migration applied. Each test file clones the template
// into a database of its own, so files never share state.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createSql } from '../../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { migrateUp } from '../../src/db/migrate.js';
import { databaseUrlFor } from './db-url.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgServerUrl: string;
    templateDatabase: string;
  }
}

const quiet = { info: () => {}, warn: () => {} };

export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    dataDir = mkdtempSync(join(tmpdir(), 'ihf-test-pg-'));
    embedded = await startEmbeddedPostgres(dataDir, quiet, { persistent: false });
    serverUrl = embedded.url;
  }
  const template = `ihf_tpl_${randomBytes(5).toString('hex')}`;
  const admin = createSql(serverUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${template}`);
  await migrateUp(databaseUrlFor(serverUrl, template));
  await admin.unsafe(`ALTER DATABASE ${template} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);

  project.provide('pgServerUrl', serverUrl);
  project.provide('templateDatabase', template);

  return async () => {
    await admin.unsafe(`ALTER DATABASE ${template} WITH IS_TEMPLATE false`);
    await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
    await admin.end();
    await embedded?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
}
