import type { Sql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';
import type { ConsumerRow } from './consumers.js';

export interface KeyRow extends CursorRow {
  id: string;
  api_consumer_id: string;
  name: string | null;
  key_prefix: string;
  key_hash: string;
  /** Space-separated, as in seed 004. */
  scopes: string;
  token_type: 'static' | 'oauth';
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

export interface KeyInsert {
  api_consumer_id: string;
  name: string | null;
  key_prefix: string;
  key_hash: string;
  scopes: string;
  token_type: 'static' | 'oauth';
  expires_at: Date | null;
}

/** A key joined with its consumer: what authentication needs, in one query. */
export interface KeyWithConsumer {
  key: KeyRow;
  consumer: ConsumerRow;
}

export function createKeysRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  return {
    async insert(values: KeyInsert): Promise<KeyRow> {
      const [row] = await sql<KeyRow[]>`
        INSERT INTO api_keys ${sql(values)}
        RETURNING ${returning}`;
      return row!;
    },

    async findForConsumer(consumerId: string, keyId: string): Promise<KeyRow | undefined> {
      const [row] = await sql<KeyRow[]>`
        SELECT ${returning} FROM api_keys WHERE id = ${keyId} AND api_consumer_id = ${consumerId}`;
      return row;
    },

    async list(consumerId: string, opts: { limit: number; cursor?: string; tokenType?: 'static' | 'oauth' }) {
      return sql<KeyRow[]>`
        SELECT ${returning} FROM api_keys
        WHERE api_consumer_id = ${consumerId}
          ${opts.tokenType ? sql`AND token_type = ${opts.tokenType}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
    },

    async revoke(consumerId: string, keyId: string): Promise<KeyRow | undefined> {
      const [row] = await sql<KeyRow[]>`
        UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now())
        WHERE id = ${keyId} AND api_consumer_id = ${consumerId}
        RETURNING ${returning}`;
      return row;
    },

    async findByPrefixWithConsumer(keyPrefix: string): Promise<KeyWithConsumer | undefined> {
      const [row] = await sql<{ k: KeyRow; c: ConsumerRow }[]>`
        SELECT to_jsonb(k) AS k, to_jsonb(c) AS c
        FROM api_keys k JOIN api_consumers c ON c.id = k.api_consumer_id
        WHERE k.key_prefix = ${keyPrefix}`;
      if (!row) return undefined;
      return { key: reviveKey(row.k), consumer: reviveConsumer(row.c) };
    },
  };
}
export type KeysRepository = ReturnType<typeof createKeysRepository>;

const date = (v: unknown) => (v == null ? null : new Date(v as string));

function reviveKey(k: KeyRow): KeyRow {
  return {
    ...k,
    expires_at: date(k.expires_at),
    revoked_at: date(k.revoked_at),
    last_used_at: date(k.last_used_at),
    created_at: new Date(k.created_at),
  };
}

function reviveConsumer(c: ConsumerRow): ConsumerRow {
  return {
    ...c,
    quota_resets_at: new Date(c.quota_resets_at),
    created_at: new Date(c.created_at),
    updated_at: new Date(c.updated_at),
  };
}
