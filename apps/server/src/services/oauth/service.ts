import { SCOPES, type Scope } from '@ihf/contract';
import type { KeyWithConsumer } from '../../db/repositories/keys.js';
import type { KeysRepository } from '../../db/repositories/keys.js';
import { parseCredential } from '../../lib/credentials.js';
import { credentialProblem, effectiveScopes, findCredential, type CredentialLookup } from '../auth.js';
import type { KeysService } from '../keys.js';
import { readClientCredentials, single } from './client-auth.js';
import { oauthError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_SCOPES = new Set<string>(SCOPES);
const epoch = (d: Date) => Math.floor(d.getTime() / 1000);
const PRUNE_AFTER_MS = 24 * 3600 * 1000;

export interface OAuthRequest {
  authorization: string | undefined;
  body: Record<string, unknown>;
}

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) with introspection (RFC 7662) and
 * revocation (RFC 7009). The client is a consumer, its secret one of its static keys;
 * tokens are `oauth` rows whose parent is that key.
 */
export function createOAuthService(deps: {
  lookup: CredentialLookup;
  keysRepo: KeysRepository;
  keys: KeysService;
  tokenTtlSeconds: number;
  /** OAUTH_ISSUER; when unset, the origin the request came to. */
  issuer?: string;
  now: () => Date;
  invalidate?: (payload: string) => void;
  sync?: () => Promise<unknown>;
}) {
  /** The static key the client authenticated with; every failure is one opaque invalid_client. */
  async function authenticateClient(req: OAuthRequest): Promise<KeyWithConsumer> {
    const creds = readClientCredentials(req.authorization, req.body);
    const found = await findCredential(deps.lookup, creds.clientSecret);
    const fail = () => oauthError('invalid_client', 'Client authentication failed.');
    if (!found || found.key.token_type !== 'static') throw fail();
    if (!UUID.test(creds.clientId) || found.consumer.id !== creds.clientId.toLowerCase()) throw fail();
    if (credentialProblem(found, deps.now())) throw fail();
    return found;
  }

  function requestedScopes(raw: string | undefined, allowed: Scope[]): Scope[] {
    if (allowed.length === 0) throw oauthError('invalid_scope', 'The client’s key carries no scope its hub manifest allows.');
    if (raw === undefined || raw.trim() === '') return allowed;
    const asked = raw.split(' ').filter(Boolean);
    const unknown = asked.filter((s) => !KNOWN_SCOPES.has(s));
    if (unknown.length) throw oauthError('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
    const granted = new Set<string>(allowed);
    const beyond = asked.filter((s) => !granted.has(s));
    if (beyond.length) throw oauthError('invalid_scope', `The requested scope exceeds the client’s key: ${beyond.join(' ')}`);
    return [...new Set(asked)] as Scope[];
  }

  return {
    async issueToken(req: OAuthRequest) {
      const grantType = single(req.body, 'grant_type');
      const scope = single(req.body, 'scope');
      if (grantType === undefined) throw oauthError('invalid_request', 'The grant_type parameter is required.');
      const client = await authenticateClient(req);
      if (grantType !== 'client_credentials') {
        throw oauthError('unsupported_grant_type', `Only the client_credentials grant is supported, not ${grantType}.`);
      }
      const scopes = requestedScopes(scope, effectiveScopes(client));
      const now = deps.now();
      let expiresAt = new Date(now.getTime() + deps.tokenTtlSeconds * 1000);
      // A token never outlives the key it was obtained with.
      if (client.key.expires_at && client.key.expires_at < expiresAt) expiresAt = client.key.expires_at;
      // Tokens that expired over a day ago are of no use, even to introspection.
      await deps.keysRepo.pruneExpiredTokens(client.key.id, new Date(now.getTime() - PRUNE_AFTER_MS));
      const { key } = await deps.keys.insertCredential('oauth', client.consumer.id, {
        scopes,
        expires_at: expiresAt.toISOString(),
        parent_key_id: client.key.id,
      });
      return {
        access_token: key,
        token_type: 'Bearer' as const,
        expires_in: Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000)),
        scope: scopes.join(' '),
      };
    },

    /** RFC 7662: active only for a live credential of the authenticated client itself. */
    async introspect(req: OAuthRequest, origin: string) {
      const client = await authenticateClient(req);
      const token = single(req.body, 'token');
      if (token === undefined) throw oauthError('invalid_request', 'The token parameter is required.');
      const found = await findCredential(deps.lookup, token);
      if (!found || found.consumer.id !== client.consumer.id || credentialProblem(found, deps.now())) {
        return { active: false };
      }
      return {
        active: true,
        scope: effectiveScopes(found).join(' '),
        client_id: found.consumer.id,
        sub: found.consumer.id,
        token_type: 'Bearer' as const,
        iat: epoch(found.key.created_at),
        ...(found.key.expires_at ? { exp: epoch(found.key.expires_at) } : {}),
        iss: deps.issuer ?? origin,
        credential_type: found.key.token_type,
      };
    },

    /**
     * RFC 7009: revokes the client's own access token; anything unknown or foreign is
     * answered 200 all the same. Static keys are an administrator's to revoke.
     */
    async revoke(req: OAuthRequest): Promise<void> {
      const client = await authenticateClient(req);
      const token = single(req.body, 'token');
      if (token === undefined) throw oauthError('invalid_request', 'The token parameter is required.');
      const parsed = parseCredential(token);
      if (parsed?.kind === 'static') {
        throw oauthError('unsupported_token_type', 'Static API keys are revoked by an administrator, not here.');
      }
      const found = await findCredential(deps.lookup, token);
      if (!found || found.consumer.id !== client.consumer.id) return;
      const row = await deps.keysRepo.revokeToken(client.consumer.id, found.key.key_prefix, deps.now());
      if (row) {
        deps.invalidate?.(`key:${row.key_prefix}`);
        await deps.sync?.();
      }
    },
  };
}
export type OAuthService = ReturnType<typeof createOAuthService>;
