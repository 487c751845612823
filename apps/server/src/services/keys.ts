import type { ApiKey, Scope, TokenType } from '@ihf/contract';
import { isPgError, PG_UNIQUE_VIOLATION } from '../db/client.js';
import type { KeyRow, KeysRepository } from '../db/repositories/keys.js';
import type { ManifestsRepository } from '../db/repositories/manifests.js';
import { toPage } from '../db/pagination.js';
import { ApiError, notFound } from '../errors.js';
import { generateCredential, type CredentialKind } from '../lib/credentials.js';
import { iso, isoOrNull } from '../lib/time.js';
import type { ConsumersService } from './consumers.js';

export const parseScopes = (stored: string): Scope[] => (stored ? (stored.split(' ') as Scope[]) : []);
export const formatScopes = (scopes: readonly string[]): string => [...new Set(scopes)].join(' ');

export function toApiKey(row: KeyRow): ApiKey {
  return {
    id: row.id,
    consumer_id: row.api_consumer_id,
    name: row.name,
    key_prefix: row.key_prefix,
    scopes: parseScopes(row.scopes),
    token_type: row.token_type,
    expires_at: isoOrNull(row.expires_at),
    revoked_at: isoOrNull(row.revoked_at),
    last_used_at: isoOrNull(row.last_used_at),
    created_at: iso(row.created_at),
    parent_key_id: row.parent_key_id ?? null,
    replaced_by_key_id: row.replaced_by_key_id ?? null,
  };
}

/** Rotation grace: how long the old key keeps working after its successor is issued. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 24 * 60 * 60;

export interface IssueInput {
  scopes: Scope[];
  expires_at?: string | null;
  name?: string | null;
  parent_key_id?: string | null;
}

export function createKeysService(deps: {
  keys: KeysRepository;
  manifests: ManifestsRepository;
  consumers: ConsumersService;
  now: () => Date;
  /** Drops a credential from this process's auth cache at once (other replicas hear NOTIFY). */
  invalidate?: (payload: string) => void;
  /** Waits until the NOTIFYs of a committed change have reached this process (auth-cache sync). */
  sync?: () => Promise<unknown>;
}) {
  /** Inserts a new credential; on the rare key_prefix collision, draws again. */
  async function insertCredential(kind: CredentialKind, consumerId: string, input: IssueInput) {
    for (let attempt = 0; ; attempt++) {
      const credential = generateCredential(kind);
      try {
        const row = await deps.keys.insert({
          api_consumer_id: consumerId,
          name: input.name ?? null,
          key_prefix: credential.keyPrefix,
          key_hash: credential.keyHash,
          scopes: formatScopes(input.scopes),
          token_type: kind,
          expires_at: input.expires_at ? new Date(input.expires_at) : null,
          parent_key_id: input.parent_key_id ?? null,
        });
        return { row, key: credential.key };
      } catch (err) {
        if (attempt < 5 && isPgError(err, PG_UNIQUE_VIOLATION)) continue;
        throw err;
      }
    }
  }

  /** A hub consumer's keys may only carry scopes its capability manifest declares. */
  async function assertScopesAllowed(manifestId: string | null, scopes: Scope[]) {
    if (!manifestId) return;
    const manifest = await deps.manifests.findById(manifestId);
    const allowed = new Set<string>(manifest?.scopes ?? []);
    const errors = scopes
      .map((scope, i) => ({ scope, i }))
      .filter(({ scope }) => !allowed.has(scope))
      .map(({ scope, i }) => ({
        location: 'body' as const,
        pointer: `/scopes/${i}`,
        message: `Scope ${scope} is outside the hub's capability manifest`,
        code: 'scope_not_in_manifest',
      }));
    if (errors.length) {
      throw new ApiError('validation_failed', 'The key asks for scopes the hub’s manifest does not allow.', { errors });
    }
  }

  return {
    insertCredential,

    async issue(consumerId: string, input: IssueInput) {
      const consumer = await deps.consumers.getRow(consumerId);
      if (input.expires_at && new Date(input.expires_at) <= deps.now()) {
        throw new ApiError('validation_failed', 'expires_at must be in the future.', {
          errors: [{ location: 'body', pointer: '/expires_at', message: 'Must be in the future', code: 'too_small' }],
        });
      }
      await assertScopesAllowed(consumer.hub_capability_manifest_id, input.scopes);
      const { row, key } = await insertCredential('static', consumerId, input);
      const { revoked_at: _r, last_used_at: _l, parent_key_id: _p, replaced_by_key_id: _s, ...rest } = toApiKey(row);
      return { ...rest, key };
    },

    async list(consumerId: string, opts: { limit: number; cursor?: string; token_type?: TokenType }) {
      await deps.consumers.getRow(consumerId);
      const rows = await deps.keys.list(consumerId, { limit: opts.limit, cursor: opts.cursor, tokenType: opts.token_type });
      return toPage(rows, opts.limit, toApiKey);
    },

    /** Revokes the key and every OAuth token minted from it. */
    async revoke(consumerId: string, keyId: string): Promise<ApiKey> {
      const row = await deps.keys.revoke(consumerId, keyId, deps.now());
      if (!row) throw notFound('key', keyId);
      deps.invalidate?.(`key:${row.key_prefix}`);
      await deps.sync?.();
      return toApiKey(row);
    },

    /**
     * Issues a successor with the same name and scopes (narrowed to the hub's manifest as
     * it stands) and lets the old key work for `grace_period_seconds` more, so a client
     * can switch without downtime; 0 ends the old key at once.
     */
    async rotate(
      consumerId: string,
      keyId: string,
      input: { grace_period_seconds?: number; expires_at?: string | null },
    ) {
      const now = deps.now();
      const old = await deps.keys.findForConsumer(consumerId, keyId);
      if (!old) throw notFound('key', keyId);
      if (old.token_type !== 'static') {
        throw new ApiError('conflict', 'Only static keys are rotated; request a new access token instead.');
      }
      if (old.revoked_at || (old.expires_at && old.expires_at <= now)) {
        throw new ApiError('conflict', 'The key is revoked or expired; issue a new key instead.');
      }
      if (old.replaced_by_key_id) {
        throw new ApiError('conflict', `The key was already rotated; its successor is ${old.replaced_by_key_id}.`);
      }
      const consumer = await deps.consumers.getRow(consumerId);
      let scopes = parseScopes(old.scopes);
      if (consumer.hub_capability_manifest_id) {
        const manifest = await deps.manifests.findById(consumer.hub_capability_manifest_id);
        const allowed = new Set<string>(manifest?.scopes ?? []);
        scopes = scopes.filter((s) => allowed.has(s));
        if (scopes.length === 0) {
          throw new ApiError('conflict', 'None of the key’s scopes is in the hub’s manifest any more; issue a new key instead.');
        }
      }
      const expiresAt = input.expires_at !== undefined ? input.expires_at : isoOrNull(old.expires_at);
      if (expiresAt && new Date(expiresAt) <= now) {
        throw new ApiError('validation_failed', 'expires_at must be in the future.', {
          errors: [{ location: 'body', pointer: '/expires_at', message: 'Must be in the future', code: 'too_small' }],
        });
      }
      const grace = input.grace_period_seconds ?? DEFAULT_ROTATION_GRACE_SECONDS;
      const { row, key } = await insertCredential('static', consumerId, { scopes, name: old.name, expires_at: expiresAt });
      const previous = await deps.keys.markRotated(old.id, row.id, new Date(now.getTime() + grace * 1000));
      if (!previous) throw notFound('key', keyId);
      deps.invalidate?.(`key:${previous.key_prefix}`);
      await deps.sync?.();
      const { revoked_at: _r, last_used_at: _l, parent_key_id: _p, replaced_by_key_id: _s, ...rest } = toApiKey(row);
      return { ...rest, key, previous_key: toApiKey(previous) };
    },
  };
}
export type KeysService = ReturnType<typeof createKeysService>;
