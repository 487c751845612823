import type { Scope } from '@ihf/contract';
import type { ConsumerRow } from '../db/repositories/consumers.js';
import type { KeyRow, KeyWithConsumer } from '../db/repositories/keys.js';
import { ApiError } from '../errors.js';
import { hashesEqual, parseCredential, secretsEqual, sha256Hex } from '../lib/credentials.js';
import { parseScopes } from './keys.js';

export const REALM = 'ihf-api';

export type AuthContext =
  | { kind: 'operator' }
  | { kind: 'consumer'; consumer: ConsumerRow; key: KeyRow; scopes: ReadonlySet<Scope> };

/** 401 with the RFC 6750 challenge; `error` is omitted when no credential was sent at all. */
export function unauthenticated(detail: string, error?: 'invalid_token' | 'invalid_request'): ApiError {
  const challenge = error
    ? `Bearer realm="${REALM}", error="${error}", error_description="${detail.replaceAll('"', "'")}"`
    : `Bearer realm="${REALM}"`;
  return new ApiError('unauthenticated', detail, { headers: { 'WWW-Authenticate': challenge } });
}

export function insufficientScope(required: readonly string[]): ApiError {
  return new ApiError('insufficient_scope', `This request needs the scope ${required.join(' and ')}.`, {
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${required.join(' ')}"`,
    },
    members: { required_scopes: required },
  });
}

/**
 * What a credential may do right now: its own scopes, narrowed by its parent key (for
 * an OAuth token) and by the consumer's hub manifest as it stands today, so narrowing a
 * manifest narrows existing keys and tokens at once.
 */
export function effectiveScopes(found: KeyWithConsumer): Scope[] {
  let scopes = parseScopes(found.key.scopes);
  if (found.parent) {
    const parent = new Set(parseScopes(found.parent.scopes));
    scopes = scopes.filter((s) => parent.has(s));
  }
  if (found.manifestScopes) {
    const manifest = new Set(found.manifestScopes);
    scopes = scopes.filter((s) => manifest.has(s));
  }
  return scopes;
}

/** Why a found, hash-matched credential may not be used now; null when it may. */
export function credentialProblem(found: KeyWithConsumer, now: Date): string | null {
  const { key, consumer, parent } = found;
  if (key.revoked_at) return 'The credential has been revoked.';
  if (key.expires_at && key.expires_at <= now) return 'The credential has expired.';
  if (parent?.revoked_at) return 'The key this token was issued from has been revoked.';
  if (parent?.expires_at && parent.expires_at <= now) return 'The key this token was issued from has expired.';
  if (!consumer.is_active) return 'The consumer has been deactivated.';
  return null;
}

export interface CredentialLookup {
  lookup(keyPrefix: string): Promise<KeyWithConsumer | undefined>;
}

/**
 * Finds a credential by its public prefix and checks its hash in constant time. The hash
 * is compared even when the prefix is unknown, so timing says nothing about it.
 */
export async function findCredential(
  lookup: CredentialLookup,
  raw: string,
  parsed = parseCredential(raw),
): Promise<KeyWithConsumer | undefined> {
  if (!parsed) return undefined;
  const found = await lookup.lookup(parsed.keyPrefix);
  const matches = hashesEqual(sha256Hex(raw), found?.key.key_hash ?? '0'.repeat(64));
  if (!found || !matches || found.key.token_type !== parsed.kind) return undefined;
  return found;
}

type ConsumerContext = Extract<AuthContext, { kind: 'consumer' }>;

export function createAuthenticator(deps: { lookup: CredentialLookup; adminToken: string | undefined; now: () => Date }) {
  // Auth-cache entries are replaced, never changed, when a key, consumer or manifest
  // changes, so the context derived from one (its effective scopes above all) is kept
  // with it and dropped with it rather than rebuilt on every request.
  const contexts = new WeakMap<KeyWithConsumer, ConsumerContext>();
  const contextOf = (found: KeyWithConsumer): ConsumerContext => {
    let context = contexts.get(found);
    if (!context) {
      context = { kind: 'consumer', consumer: found.consumer, key: found.key, scopes: new Set(effectiveScopes(found)) };
      contexts.set(found, context);
    }
    return context;
  };

  async function authenticateKey(raw: string, parsed: NonNullable<ReturnType<typeof parseCredential>>): Promise<AuthContext> {
    const found = await findCredential(deps.lookup, raw, parsed);
    if (!found) throw unauthenticated('Unknown API key or access token.', 'invalid_token');
    const problem = credentialProblem(found, deps.now());
    if (problem) throw unauthenticated(problem, 'invalid_token');
    return contextOf(found);
  }

  return {
    /** Resolves an Authorization header to who is calling, or throws a 401 problem. */
    async authenticate(header: string | undefined): Promise<AuthContext> {
      if (!header) throw unauthenticated('This request needs an Authorization: Bearer credential.');
      const match = /^Bearer +(\S+) *$/i.exec(header);
      if (!match) throw unauthenticated('The Authorization header must use the Bearer scheme.', 'invalid_request');
      const credential = match[1]!;
      const parsed = parseCredential(credential);
      if (!parsed) {
        if (deps.adminToken) {
          if (secretsEqual(credential, deps.adminToken)) return { kind: 'operator' };
          throw unauthenticated('Unknown API key or access token.', 'invalid_token');
        }
        throw unauthenticated('The credential is not a valid API key or access token.', 'invalid_token');
      }
      return authenticateKey(credential, parsed);
    },
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
