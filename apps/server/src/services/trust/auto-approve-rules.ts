import { isPgError, PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION } from '../../db/client.js';
import { toPage } from '../../db/pagination.js';
import type { AutoApproveRuleRow, AutoApproveRulesRepository } from '../../db/repositories/auto-approve-rules.js';
import { ApiError, notFound } from '../../errors.js';
import { iso } from '../../lib/time.js';

export function toAutoApproveRule(row: AutoApproveRuleRow) {
  return {
    id: row.id,
    consumer_id: row.api_consumer_id,
    category: row.category,
    is_active: row.is_active,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

async function mapWriteErrors<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isPgError(err, PG_UNIQUE_VIOLATION)) {
      throw new ApiError('conflict', 'This consumer already has an auto-approve rule for this category.');
    }
    if (isPgError(err, PG_FOREIGN_KEY_VIOLATION)) {
      throw new ApiError('invalid_reference', 'No consumer with the consumer_id given.', {
        errors: [{ location: 'body', pointer: '/consumer_id', message: 'No such consumer', code: 'not_found' }],
      });
    }
    throw err;
  }
}

/** Admin CRUD of auto-approve rules (one per consumer and category). */
export function createAutoApproveRulesService(repo: AutoApproveRulesRepository) {
  return {
    async create(input: { consumer_id: string; category: string; is_active?: boolean }) {
      const values = { api_consumer_id: input.consumer_id, category: input.category, is_active: input.is_active ?? true };
      const row = await mapWriteErrors(() => repo.insert(values));
      return toAutoApproveRule(row);
    },
    async list(q: { limit: number; cursor?: string; consumer_id?: string; category?: string }) {
      const rows = await repo.list({ limit: q.limit, cursor: q.cursor, consumerId: q.consumer_id, category: q.category });
      return toPage(rows, q.limit, toAutoApproveRule);
    },
    async get(id: string) {
      const row = await repo.findById(id);
      if (!row) throw notFound('auto-approve rule', id);
      return toAutoApproveRule(row);
    },
    async update(id: string, patch: { category?: string; is_active?: boolean }) {
      if (Object.keys(patch).length === 0) return this.get(id);
      const row = await mapWriteErrors(() => repo.update(id, patch));
      if (!row) throw notFound('auto-approve rule', id);
      return toAutoApproveRule(row);
    },
    async delete(id: string) {
      if (!(await repo.delete(id))) throw notFound('auto-approve rule', id);
    },
  };
}
export type AutoApproveRulesService = ReturnType<typeof createAutoApproveRulesService>;
