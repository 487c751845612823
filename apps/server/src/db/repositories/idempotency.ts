import type { Sql, TransactionSql } from '../client.js';

export interface IdempotencyRow {
  owner: string;
  idempotency_key: string;
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: string | null;
  response_content_type: string | null;
  locked_until: Date;
  expires_at: Date;
}

export function createIdempotencyRepository(sql: Sql) {
  return {
    /**
     * Takes the key for a new request, or returns the row that holds it. An expired row,
     * or an in-progress one whose lock ran out (its server died), is taken over.
     */
    async acquire(
      owner: string,
      key: string,
      requestHash: string,
      opts: { ttlSeconds: number; lockSeconds: number },
    ): Promise<{ acquired: true } | { acquired: false; row: IdempotencyRow }> {
      const [taken] = await sql<{ owner: string }[]>`
        INSERT INTO idempotency_keys (owner, idempotency_key, request_hash, state, locked_until, expires_at)
        VALUES (${owner}, ${key}, ${requestHash}, 'in_progress',
          now() + make_interval(secs => ${opts.lockSeconds}), now() + make_interval(secs => ${opts.ttlSeconds}))
        ON CONFLICT (owner, idempotency_key) DO UPDATE SET
          request_hash = EXCLUDED.request_hash, state = 'in_progress', response_status = NULL,
          response_body = NULL, response_content_type = NULL,
          locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = now()
        WHERE idempotency_keys.expires_at <= now()
          OR (idempotency_keys.state = 'in_progress' AND idempotency_keys.locked_until <= now()
              AND idempotency_keys.request_hash = EXCLUDED.request_hash)
        RETURNING owner`;
      if (taken) return { acquired: true };
      const [row] = await sql<IdempotencyRow[]>`
        SELECT * FROM idempotency_keys WHERE owner = ${owner} AND idempotency_key = ${key}`;
      // Deleted between the two statements (its request failed): treat as in progress once more.
      return row ? { acquired: false, row } : this.acquire(owner, key, requestHash, opts);
    },

    async complete(owner: string, key: string, status: number, body: string, contentType: string | null) {
      await sql`
        UPDATE idempotency_keys SET state = 'completed', response_status = ${status},
          response_body = ${body}, response_content_type = ${contentType}
        WHERE owner = ${owner} AND idempotency_key = ${key}`;
    },

    async release(owner: string, key: string) {
      await sql`DELETE FROM idempotency_keys WHERE owner = ${owner} AND idempotency_key = ${key} AND state = 'in_progress'`;
    },

    /** Deletes expired rows; `db` lets a caller run it in its own transaction. */
    async purgeExpired(db: Sql | TransactionSql = sql): Promise<number> {
      const rows = await db`DELETE FROM idempotency_keys WHERE expires_at < now() RETURNING 1`;
      return rows.length;
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
