import type { ApiKey, Scope } from '@ihf/contract';
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
    api_consumer_id: row.api_consumer_id,
    name: row.name,
    key_prefix: row.key_prefix,
    scopes: parseScopes(row.scopes),
    token_type: row.token_type,
    expires_at: isoOrNull(row.expires_at),
    revoked_at: isoOrNull(row.revoked_at),
    last_used_at: isoOrNull(row.last_used_at),
    created_at: iso(row.created_at),
  };
}

export interface IssueInput {
  scopes: Scope[];
  expires_at?: string | null;
  name?: string | null;
}

export function createKeysService(deps: {
  keys: KeysRepository;
  manifests: ManifestsRepository;
  consumers: ConsumersService;
  now: () => Date;
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
      const { revoked_at: _r, last_used_at: _l, ...rest } = toApiKey(row);
      return { ...rest, key };
    },

    async list(consumerId: string, opts: { limit: number; cursor?: string; token_type?: 'static' | 'oauth' }) {
      await deps.consumers.getRow(consumerId);
      const rows = await deps.keys.list(consumerId, { limit: opts.limit, cursor: opts.cursor, tokenType: opts.token_type });
      return toPage(rows, opts.limit, toApiKey);
    },

    async revoke(consumerId: string, keyId: string): Promise<ApiKey> {
      const row = await deps.keys.revoke(consumerId, keyId);
      if (!row) throw notFound('key', keyId);
      return toApiKey(row);
    },
  };
}
export type KeysService = ReturnType<typeof createKeysService>;
