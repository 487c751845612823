import type { Consumer, Tier } from '@ihf/contract';
import type { Config } from '../config.js';
import { isPgError, PG_FOREIGN_KEY_VIOLATION } from '../db/client.js';
import type { ConsumerPatch, ConsumerRow, ConsumersRepository } from '../db/repositories/consumers.js';
import { toPage } from '../db/pagination.js';
import { ApiError, notFound } from '../errors.js';
import { iso } from '../lib/time.js';
import { effectiveLimits } from './limits/effective.js';

/** Effective limits at the top level (what integrators read), the operator's overrides beside them. */
export function toConsumer(row: ConsumerRow, quotaUsedToday: number, config: Pick<Config, 'BURST_THRESHOLD'>): Consumer {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tier: row.tier,
    hub_capability_manifest_id: row.hub_capability_manifest_id,
    ...effectiveLimits(row, config),
    limit_overrides: {
      rate_limit_per_minute: row.rate_limit_per_minute,
      quota_per_day: row.quota_per_day,
      burst_threshold: row.burst_threshold,
    },
    quota_resets_at: iso(row.quota_resets_at),
    quota_used_today: quotaUsedToday,
    is_active: row.is_active,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

interface CreateInput {
  name: string;
  description?: string | null;
  tier: Tier;
  rate_limit_per_minute?: number | null;
  quota_per_day?: number | null;
  burst_threshold?: number | null;
  hub_capability_manifest_id?: string | null;
}

const unknownManifest = (id: string) =>
  new ApiError('invalid_reference', `No hub capability manifest with id ${id}.`, {
    errors: [{ location: 'body', pointer: '/hub_capability_manifest_id', message: 'No such manifest', code: 'not_found' }],
  });

/** Runs a write and turns a violated manifest foreign key into a 422. */
async function withManifestCheck<T>(manifestId: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (manifestId && isPgError(err, PG_FOREIGN_KEY_VIOLATION)) throw unknownManifest(manifestId);
    throw err;
  }
}

/** Today's admitted requests per consumer (a consumer missing from the map made none). */
export type QuotaUseLookup = (consumerIds: string[]) => Promise<Map<string, number>>;

export function createConsumersService(
  repo: ConsumersRepository,
  quotaUsedToday: QuotaUseLookup,
  config: Pick<Config, 'BURST_THRESHOLD'>,
) {
  async function getRow(id: string): Promise<ConsumerRow> {
    const row = await repo.findById(id);
    if (!row) throw notFound('consumer', id);
    return row;
  }

  async function withQuotaUse(row: ConsumerRow): Promise<Consumer> {
    return toConsumer(row, (await quotaUsedToday([row.id])).get(row.id) ?? 0, config);
  }

  return {
    getRow,

    async create(input: CreateInput): Promise<Consumer> {
      const row = await withManifestCheck(input.hub_capability_manifest_id, () =>
        repo.insert({
          name: input.name,
          description: input.description ?? null,
          tier: input.tier,
          hub_capability_manifest_id: input.hub_capability_manifest_id ?? null,
          rate_limit_per_minute: input.rate_limit_per_minute ?? null,
          quota_per_day: input.quota_per_day ?? null,
          burst_threshold: input.burst_threshold ?? null,
        }),
      );
      return toConsumer(row, 0, config);
    },

    async list(opts: { limit: number; cursor?: string; is_active?: boolean }) {
      const rows = await repo.list({ limit: opts.limit, cursor: opts.cursor, isActive: opts.is_active });
      const used = await quotaUsedToday(rows.slice(0, opts.limit).map((r) => r.id));
      return toPage(rows, opts.limit, (row) => toConsumer(row, used.get(row.id) ?? 0, config));
    },

    async get(id: string): Promise<Consumer> {
      return withQuotaUse(await getRow(id));
    },

    /** Stores overrides as given (null: inherit); a tier change leaves them alone, as the columns are not derived. */
    async update(id: string, patch: ConsumerPatch): Promise<Consumer> {
      const row = await withManifestCheck(patch.hub_capability_manifest_id, () => repo.update(id, patch));
      if (!row) throw notFound('consumer', id);
      return withQuotaUse(row);
    },

    async deactivate(id: string): Promise<Consumer> {
      const row = await repo.update(id, { is_active: false });
      if (!row) throw notFound('consumer', id);
      return withQuotaUse(row);
    },
  };
}
export type ConsumersService = ReturnType<typeof createConsumersService>;
