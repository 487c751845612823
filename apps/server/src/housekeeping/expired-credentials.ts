import type { Sql } from '../db/client.js';
import { runExclusive } from './exclusive.js';

/** Expired OAuth tokens and portal credentials are kept this long (introspection may still name them), then deleted. */
export const EXPIRED_CREDENTIAL_GRACE_MS = 86_400_000;

/**
 * Deletes OAuth access tokens and portal credentials that expired more than a day before
 * `now`; static keys are the owner's to revoke and stay. Minting already prunes a key's or
 * a consumer's own; this catches those whose owner never mints again. Answers the rows
 * deleted, or `skipped` while another replica does it.
 */
export function pruneExpiredCredentials(sql: Sql, now: Date): Promise<number | 'skipped'> {
  const before = new Date(now.getTime() - EXPIRED_CREDENTIAL_GRACE_MS);
  return runExclusive(sql, 'ihf-housekeeping:expired-credentials', async (tx) => {
    const deleted = await tx`DELETE FROM api_keys WHERE token_type IN ('oauth', 'portal') AND expires_at < ${before}`;
    return deleted.count;
  });
}
