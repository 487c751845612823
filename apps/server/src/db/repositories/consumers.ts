import type { Tier } from '@ihf/contract';
import type { Sql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';

export interface ConsumerInsert {
  name: string;
  description: string | null;
  tier: Tier;
  hub_capability_manifest_id: string | null;
  /** The three limits: null inherits the tier's default (services/limits/effective.ts). */
  rate_limit_per_minute: number | null;
  quota_per_day: number | null;
  burst_threshold: number | null;
}

export interface ConsumerRow extends CursorRow, ConsumerInsert {
  quota_resets_at: Date;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export type ConsumerPatch = Partial<ConsumerInsert & { is_active: boolean }>;


export function createConsumersRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  return {
    async insert(values: ConsumerInsert): Promise<ConsumerRow> {
      const [row] = await sql<ConsumerRow[]>`
        INSERT INTO api_consumers ${sql(values)} RETURNING ${returning}`;
      return row!;
    },

    async findById(id: string): Promise<ConsumerRow | undefined> {
      const [row] = await sql<ConsumerRow[]>`SELECT ${returning} FROM api_consumers WHERE id = ${id}`;
      return row;
    },

    async list(opts: { limit: number; cursor?: string; isActive?: boolean }): Promise<ConsumerRow[]> {
      return sql<ConsumerRow[]>`
        SELECT ${returning} FROM api_consumers
        WHERE TRUE
          ${opts.isActive === undefined ? sql`` : sql`AND is_active = ${opts.isActive}`}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC
        LIMIT ${opts.limit + 1}`;
    },

    async update(id: string, patch: ConsumerPatch): Promise<ConsumerRow | undefined> {
      const keys = Object.keys(patch) as (keyof ConsumerPatch)[];
      if (keys.length === 0) return this.findById(id);
      const [row] = await sql<ConsumerRow[]>`
        UPDATE api_consumers SET ${sql(patch, ...keys)}, updated_at = now()
        WHERE id = ${id} RETURNING ${returning}`;
      return row;
    },
  };
}
export type ConsumersRepository = ReturnType<typeof createConsumersRepository>;
