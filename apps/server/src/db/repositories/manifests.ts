import type { EventTopic, Scope } from '@ihf/contract';
import type { Sql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';

export interface ManifestRow extends CursorRow {
  id: string;
  name: string;
  version: string;
  description: string | null;
  scopes: Scope[];
  event_types: EventTopic[];
  created_at: Date;
  updated_at: Date;
}

export interface ManifestInsert {
  name: string;
  version: string;
  description: string | null;
  scopes: Scope[];
  event_types: EventTopic[];
}


export function createManifestsRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  return {
    async insert(values: ManifestInsert): Promise<ManifestRow> {
      const [row] = await sql<ManifestRow[]>`
        INSERT INTO hub_capability_manifests ${sql(values)} RETURNING ${returning}`;
      return row!;
    },
    async findById(id: string): Promise<ManifestRow | undefined> {
      const [row] = await sql<ManifestRow[]>`SELECT ${returning} FROM hub_capability_manifests WHERE id = ${id}`;
      return row;
    },
    async list(opts: { limit: number; cursor?: string }): Promise<ManifestRow[]> {
      return sql<ManifestRow[]>`
        SELECT ${returning} FROM hub_capability_manifests
        WHERE TRUE ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
    },
    async update(id: string, patch: Partial<ManifestInsert>): Promise<ManifestRow | undefined> {
      const keys = Object.keys(patch) as (keyof ManifestInsert)[];
      if (keys.length === 0) return this.findById(id);
      const [row] = await sql<ManifestRow[]>`
        UPDATE hub_capability_manifests SET ${sql(patch, ...keys)}, updated_at = now()
        WHERE id = ${id} RETURNING ${returning}`;
      return row;
    },
  };
}
export type ManifestsRepository = ReturnType<typeof createManifestsRepository>;
