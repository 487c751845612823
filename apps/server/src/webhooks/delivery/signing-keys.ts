import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import type { Sql } from '../../db/client.js';
import type { SecretBox } from '../../lib/secret-box.js';
import { signingContexts, type ClaimedContext, type SigningContext } from '../sql/index.js';
import { SHARED_ROUND_TRIP } from './batcher.js';
import { signingKey } from './signer.js';

/** Where and how one subscription's attempts are sent, as of one version of its row. */
export interface Signing {
  version: string;
  targetUrl: string;
  /** The secret's key, and those of replaced secrets with the time (ms) they stop signing. */
  keys: { key: Buffer; until: number }[];
}

/** The HMAC keys to sign with at `atMs`: the secret's, and those of replaced secrets still in their overlap. */
export const keysAt = (signing: Signing, atMs: number): Buffer[] => signing.keys.filter((k) => k.until > atMs).map((k) => k.key);

/**
 * Each subscription's target and HMAC keys, as of the version of its row a claim saw: read
 * and opened once per version rather than with every claimed message. Any update of the
 * row (URL, rotation, disable) makes a new version.
 */
export function createSigningKeys(db: Sql, secretBox: SecretBox) {
  // Decrypted secrets, keyed by their sealed form: a rotation stores a new sealed value, so
  // an entry never outlives the secret it was opened from.
  const opened = new LRUCache<string, Buffer>({ max: 10_000, ttl: 10 * 60_000 });
  const open = (sealed: string) => {
    let key = opened.get(sealed);
    if (key === undefined) {
      key = signingKey(secretBox.open(sealed));
      opened.set(sealed, key);
    }
    return key;
  };
  const signings = new LRUCache<string, Signing>({ max: 10_000 });
  const rows = new DataLoader<string, SigningContext | undefined>(async (ids) => {
    const byId = new Map((await signingContexts(db, ids)).map((row) => [row.subscription_id, row]));
    return ids.map((id) => byId.get(id));
  }, SHARED_ROUND_TRIP);

  return {
    /** The signing of the claim's subscription when the version its claim saw is cached. */
    cached(ctx: ClaimedContext): Signing | undefined {
      const cached = signings.get(ctx.subscription_id);
      return cached?.version === ctx.subscription_version ? cached : undefined;
    },
    /** Reads and opens the subscription's current signing, and caches it. */
    async load(subscriptionId: string): Promise<Signing> {
      const row = await rows.load(subscriptionId);
      if (!row) throw new Error(`webhook subscription ${subscriptionId} not found`); // rows are never deleted (soft delete)
      const keys = [{ key: open(row.secret), until: Number.POSITIVE_INFINITY }];
      if (row.previous_secret && row.previous_secret_expires_at) {
        keys.push({ key: open(row.previous_secret), until: row.previous_secret_expires_at.getTime() });
      }
      for (const older of row.older_secrets) keys.push({ key: open(older.secret), until: Date.parse(older.expires_at) });
      const signing = { version: row.version, targetUrl: row.target_url, keys };
      signings.set(subscriptionId, signing);
      return signing;
    },
  };
}
export type SigningKeys = ReturnType<typeof createSigningKeys>;
