import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { migrateQueue } from '../webhooks/worker/queue-runner.js';
import type { Sql } from './client.js';

export const MIGRATIONS_TABLE = 'pgmigrations';
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../../migrations', import.meta.url));
/** Migration files are `NNNN_name.sql`; anything else in the folder (schema.sql) is not one. */
const MIGRATION_FILE = /^\d{4}_.+\.sql$/;
// node-pg-migrate anchors this pattern and skips the files it matches.
const NOT_A_MIGRATION = `(?!${MIGRATION_FILE.source.slice(1)}).*`;

interface Log {
  info(msg: string): void;
}

/**
 * Applies pending migrations. node-pg-migrate holds an advisory lock while it runs, so
 * replicas booting together apply each migration once.
 */
export async function migrateUp(databaseUrl: string, log?: Log, dir = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir,
    direction: 'up',
    migrationsTable: MIGRATIONS_TABLE,
    ignorePattern: NOT_A_MIGRATION,
    count: Infinity,
    log: (msg: string) => log?.info(msg),
    logger: { debug: () => {}, info: () => {}, warn: (m: string) => log?.info(m), error: (m: string) => log?.info(m) },
  });
  // graphile-worker (the webhook job queue) keeps its own schema and migration table.
  await migrateQueue(databaseUrl);
  return applied.map((m) => m.name);
}

export async function migrateDown(databaseUrl: string, count: number, dir = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const reverted = await runner({
    databaseUrl,
    dir,
    direction: 'down',
    migrationsTable: MIGRATIONS_TABLE,
    ignorePattern: NOT_A_MIGRATION,
    count,
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return reverted.map((m) => m.name);
}

export function migrationNames(dir = DEFAULT_MIGRATIONS_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .map((f) => f.replace(/\.sql$/, ''))
    .sort();
}

/** Names of migration files not yet applied to the database. */
export async function pendingMigrations(sql: Sql, dir = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`SELECT name FROM ${sql(MIGRATIONS_TABLE)}`.catch(() => []);
  const done = new Set(rows.map((r) => r.name));
  return migrationNames(dir).filter((n) => !done.has(n));
}
