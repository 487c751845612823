import type { TokenType } from '@ihf/contract';
import type { Sql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';
import type { ConsumerRow } from './consumers.js';

export interface KeyInsert {
  api_consumer_id: string;
  name: string | null;
  key_prefix: string;
  key_hash: string;
  /** Space-separated, as the baseline schema stores them. */
  scopes: string;
  token_type: TokenType;
  expires_at: Date | null;
  parent_key_id?: string | null;
}

export interface KeyRow extends CursorRow, KeyInsert {
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
  /** For an OAuth access token: the static key that minted it. */
  parent_key_id: string | null;
  /** Set on a rotated key: the key that replaced it. */
  replaced_by_key_id: string | null;
}

/** A key joined with everything authentication decides on, fetched in one query. */
export interface KeyWithConsumer {
  key: KeyRow;
  consumer: ConsumerRow;
  /** The scopes of the consumer's hub capability manifest; null when it is no hub. */
  manifestScopes: string[] | null;
  /** The credential an OAuth token or a self-minted portal credential came from: it dies with it. */
  parent: { key_prefix: string; scopes: string; revoked_at: Date | null; expires_at: Date | null } | null;
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

    async list(consumerId: string, opts: { limit: number; cursor?: string; tokenType?: TokenType }) {
      return sql<KeyRow[]>`
        SELECT ${returning} FROM api_keys
        WHERE api_consumer_id = ${consumerId}
          ${opts.tokenType ? sql`AND token_type = ${opts.tokenType}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
    },

    /**
     * Revokes a key and, in the same statement, every OAuth token minted from it, so no
     * token outlives the secret it was obtained with.
     */
    async revoke(consumerId: string, keyId: string, at: Date): Promise<KeyRow | undefined> {
      const [row] = await sql<KeyRow[]>`
        WITH target AS (
          UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ${at})
          WHERE id = ${keyId} AND api_consumer_id = ${consumerId}
          RETURNING *
        ), children AS (
          UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ${at})
          WHERE parent_key_id IN (SELECT id FROM target)
        )
        SELECT *, created_at::text AS cursor_ts FROM target`;
      return row;
    },

    /**
     * Deletes a key's OAuth tokens that expired before `before`. Called when the key
     * mints a new token, so expired rows stay bounded per key without a sweeper.
     */
    async pruneExpiredTokens(parentKeyId: string, before: Date): Promise<number> {
      const rows = await sql`
        DELETE FROM api_keys
        WHERE parent_key_id = ${parentKeyId} AND token_type = 'oauth' AND expires_at < ${before}
        RETURNING id`;
      return rows.length;
    },

    /** Revokes one OAuth token or portal credential of a consumer, found by prefix (RFC 7009, portal sign-out). */
    async revokeToken(consumerId: string, keyPrefix: string, at: Date): Promise<KeyRow | undefined> {
      const [row] = await sql<KeyRow[]>`
        UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ${at})
        WHERE key_prefix = ${keyPrefix} AND api_consumer_id = ${consumerId} AND token_type IN ('oauth', 'portal')
        RETURNING ${returning}`;
      return row;
    },

    /**
     * Rotation: the old key ends at `oldExpiresAt` (never later than it already would),
     * records its successor, and its tokens end no later than it does.
     */
    async markRotated(oldKeyId: string, newKeyId: string, oldExpiresAt: Date): Promise<KeyRow | undefined> {
      return sql.begin(async (tx) => {
        const [row] = await tx<KeyRow[]>`
          UPDATE api_keys
          SET replaced_by_key_id = ${newKeyId},
              expires_at = LEAST(COALESCE(expires_at, ${oldExpiresAt}), ${oldExpiresAt})
          WHERE id = ${oldKeyId}
          RETURNING *, created_at::text AS cursor_ts`;
        if (!row) return undefined;
        await tx`
          UPDATE api_keys SET expires_at = ${row.expires_at}
          WHERE parent_key_id = ${oldKeyId} AND (expires_at IS NULL OR expires_at > ${row.expires_at})`;
        return row;
      });
    },

    async findByPrefixWithConsumer(keyPrefix: string): Promise<KeyWithConsumer | undefined> {
      const [row] = await sql<{ k: KeyRow; c: ConsumerRow; m: string[] | null; p: ParentJson | null }[]>`
        SELECT to_jsonb(k) AS k, to_jsonb(c) AS c, m.scopes AS m,
          CASE WHEN p.id IS NULL THEN NULL ELSE
            jsonb_build_object('key_prefix', p.key_prefix, 'scopes', p.scopes,
                               'revoked_at', p.revoked_at, 'expires_at', p.expires_at) END AS p
        FROM api_keys k
        JOIN api_consumers c ON c.id = k.api_consumer_id
        LEFT JOIN hub_capability_manifests m ON m.id = c.hub_capability_manifest_id
        LEFT JOIN api_keys p ON p.id = k.parent_key_id
        WHERE k.key_prefix = ${keyPrefix}`;
      if (!row) return undefined;
      return {
        key: reviveKey(row.k),
        consumer: reviveConsumer(row.c),
        manifestScopes: row.m,
        parent: row.p
          ? { key_prefix: row.p.key_prefix, scopes: row.p.scopes, revoked_at: date(row.p.revoked_at), expires_at: date(row.p.expires_at) }
          : null,
      };
    },
  };
}
export type KeysRepository = ReturnType<typeof createKeysRepository>;

interface ParentJson {
  key_prefix: string;
  scopes: string;
  revoked_at: string | null;
  expires_at: string | null;
}

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
