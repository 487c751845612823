import type { Sql } from '../client.js';

/** The SQL of portal credentials beyond what every api_keys row shares (keys.ts). */
export function createPortalCredentialsRepository(sql: Sql) {
  return {
    /** Deletes the consumer's portal credentials that expired before `before`; run on each mint, so they stay bounded without a sweeper. */
    async pruneExpired(consumerId: string, before: Date): Promise<number> {
      const rows = await sql`
        DELETE FROM api_keys
        WHERE api_consumer_id = ${consumerId} AND token_type = 'portal' AND expires_at < ${before}
        RETURNING id`;
      return rows.length;
    },

    /** The scope strings of the consumer's static keys that work at `now` (neither revoked nor expired). */
    async liveStaticKeyScopes(consumerId: string, now: Date): Promise<string[]> {
      const rows = await sql<{ scopes: string }[]>`
        SELECT scopes FROM api_keys
        WHERE api_consumer_id = ${consumerId} AND token_type = 'static'
          AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})`;
      return rows.map((r) => r.scopes);
    },
  };
}
export type PortalCredentialsRepository = ReturnType<typeof createPortalCredentialsRepository>;
