import type { Sql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';

export interface AutoApproveRuleRow extends CursorRow {
  id: string;
  api_consumer_id: string;
  category: string;
  is_active: boolean;
  created_at: Date;
  updated_at: Date;
}

export function createAutoApproveRulesRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  return {
    async insert(values: { api_consumer_id: string; category: string; is_active: boolean }): Promise<AutoApproveRuleRow> {
      const [row] = await sql<AutoApproveRuleRow[]>`INSERT INTO auto_approve_rules ${sql(values)} RETURNING ${returning}`;
      return row!;
    },
    async findById(id: string): Promise<AutoApproveRuleRow | undefined> {
      const [row] = await sql<AutoApproveRuleRow[]>`SELECT ${returning} FROM auto_approve_rules WHERE id = ${id}`;
      return row;
    },
    async list(opts: { limit: number; cursor?: string; consumerId?: string; category?: string }) {
      return sql<AutoApproveRuleRow[]>`
        SELECT ${returning} FROM auto_approve_rules
        WHERE true
          ${opts.consumerId ? sql`AND api_consumer_id = ${opts.consumerId}` : sql``}
          ${opts.category ? sql`AND category = ${opts.category}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
    },
    async update(id: string, patch: { category?: string; is_active?: boolean }): Promise<AutoApproveRuleRow | undefined> {
      const [row] = await sql<AutoApproveRuleRow[]>`
        UPDATE auto_approve_rules SET ${sql(patch)}, updated_at = now() WHERE id = ${id} RETURNING ${returning}`;
      return row;
    },
    async delete(id: string): Promise<boolean> {
      const rows = await sql`DELETE FROM auto_approve_rules WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },
  };
}
export type AutoApproveRulesRepository = ReturnType<typeof createAutoApproveRulesRepository>;
