import { PORTAL_SCOPES, RECORD_RESOURCES, readScope, type PortalSession, type Scope } from '@ihf/contract';
import type { ConsumerRow } from '../db/repositories/consumers.js';
import type { KeyRow, KeysRepository } from '../db/repositories/keys.js';
import type { ManifestsRepository } from '../db/repositories/manifests.js';
import type { PortalCredentialsRepository } from '../db/repositories/portal-credentials.js';
import { ApiError } from '../errors.js';
import { iso } from '../lib/time.js';
import type { ConsumerAuth } from '../routes/auth-context.js';
import type { ConsumersService } from './consumers.js';
import type { KeysService } from './keys.js';
import { parseScopes } from './keys.js';

/** Expired portal credentials are kept a day (introspection, the keys list), then pruned. */
const PRUNE_AFTER_MS = 24 * 3600 * 1000;
const READ_SCOPES = new Set<Scope>(RECORD_RESOURCES.map(readScope));

export const isPortal = (auth: ConsumerAuth) => auth.key.token_type === 'portal';

/**
 * Portal sessions: a link into the consumer portal carrying a short-lived `portal`
 * credential (an api_keys row, hashed like every key) in its URL fragment, so it never
 * reaches a server log or a Referer.
 */
export function createPortalSessionsService(deps: {
  keys: KeysService;
  keysRepo: KeysRepository;
  repo: PortalCredentialsRepository;
  manifests: ManifestsRepository;
  consumers: ConsumersService;
  /** PUBLIC_BASE_URL; when unset, the origin the minting request came to. */
  publicBaseUrl?: string;
  now: () => Date;
  invalidate?: (payload: string) => void;
  sync?: () => Promise<unknown>;
}) {
  async function mint(
    consumer: ConsumerRow,
    input: { ttl_seconds: number; scopes: Scope[]; parent?: KeyRow },
    origin: string,
  ): Promise<PortalSession> {
    const now = deps.now();
    let expiresAt = new Date(now.getTime() + input.ttl_seconds * 1000);
    // Never outlives the credential that minted it.
    if (input.parent?.expires_at && input.parent.expires_at < expiresAt) expiresAt = input.parent.expires_at;
    await deps.repo.pruneExpired(consumer.id, new Date(now.getTime() - PRUNE_AFTER_MS));
    const { row, key } = await deps.keys.insertCredential('portal', consumer.id, {
      scopes: input.scopes,
      name: 'Portal session',
      expires_at: expiresAt.toISOString(),
      parent_key_id: input.parent?.id ?? null,
    });
    const base = (deps.publicBaseUrl ?? origin).replace(/\/+$/, '');
    return {
      id: row.id,
      consumer_id: consumer.id,
      url: `${base}/portal#token=${key}`,
      key_prefix: row.key_prefix,
      scopes: parseScopes(row.scopes),
      expires_at: iso(expiresAt),
    };
  }

  return {
    /** An operator's link: every portal scope, no parent. */
    async mintForConsumer(consumerId: string, input: { ttl_seconds: number }, origin: string) {
      const consumer = await deps.consumers.getRow(consumerId);
      if (!consumer.is_active) throw new ApiError('conflict', 'The consumer is deactivated; reactivate it before opening its portal.');
      return mint(consumer, { ...input, scopes: [...PORTAL_SCOPES] }, origin);
    },

    /** A consumer's own link: at most the portal scopes its credential has, and tied to that credential. */
    async mintForCaller(caller: ConsumerAuth, input: { ttl_seconds: number }, origin: string) {
      if (isPortal(caller)) throw new ApiError('forbidden', 'A portal credential cannot open further portal sessions.');
      const scopes = PORTAL_SCOPES.filter((s) => caller.scopes.has(s));
      return mint(caller.consumer, { ...input, scopes, parent: caller.key }, origin);
    },

    /** Sign-out: the calling portal credential revokes itself. */
    async revokeCurrent(caller: ConsumerAuth): Promise<void> {
      if (!isPortal(caller)) throw new ApiError('forbidden', 'Only a portal credential signs out here; admins revoke keys, OAuth clients use /api/v2/token/revoke.');
      const row = await deps.keysRepo.revokeToken(caller.consumer.id, caller.key.key_prefix, deps.now());
      if (row) {
        deps.invalidate?.(`key:${row.key_prefix}`);
        await deps.sync?.();
      }
    },

    /**
     * The scopes that decide which topics a caller may subscribe to. A webhook carries the
     * whole record, so subscribing normally needs the record's read scope on the calling
     * credential. A portal credential carries no read scope: it subscribes on behalf of the
     * consumer, to the topics whose read scope one of the consumer's working static keys
     * holds (within its hub manifest), so nothing reaches a consumer that could not read it.
     */
    async subscribingScopes(caller: ConsumerAuth): Promise<ReadonlySet<Scope>> {
      if (!isPortal(caller)) return caller.scopes;
      const held = (await deps.repo.liveStaticKeyScopes(caller.consumer.id, deps.now())).flatMap(parseScopes);
      const manifestId = caller.consumer.hub_capability_manifest_id;
      const manifest = manifestId ? new Set<Scope>((await deps.manifests.findById(manifestId))?.scopes ?? []) : null;
      const delegated = held.filter((s) => READ_SCOPES.has(s) && (!manifest || manifest.has(s)));
      return new Set([...caller.scopes, ...delegated]);
    },
  };
}
export type PortalSessionsService = ReturnType<typeof createPortalSessionsService>;
