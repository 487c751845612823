import type { Scope } from '@ihf/contract';
import type { ConsumerRow } from '../db/repositories/consumers.js';
import type { KeyRow, KeysRepository } from '../db/repositories/keys.js';
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

export function createAuthenticator(deps: { keys: KeysRepository; adminToken: string | undefined; now: () => Date }) {
  async function authenticateKey(raw: string): Promise<AuthContext> {
    const parsed = parseCredential(raw);
    if (!parsed) throw unauthenticated('The credential is not a valid API key or access token.', 'invalid_token');
    const found = await deps.keys.findByPrefixWithConsumer(parsed.keyPrefix);
    // Hash and compare even when the prefix is unknown, so timing says nothing about it.
    const presented = sha256Hex(raw);
    const matches = hashesEqual(presented, found?.key.key_hash ?? '0'.repeat(64));
    if (!found || !matches || found.key.token_type !== parsed.kind) {
      throw unauthenticated('Unknown API key or access token.', 'invalid_token');
    }
    const { key, consumer } = found;
    if (key.revoked_at) throw unauthenticated('The credential has been revoked.', 'invalid_token');
    if (key.expires_at && key.expires_at <= deps.now()) {
      throw unauthenticated('The credential has expired.', 'invalid_token');
    }
    if (!consumer.is_active) throw unauthenticated('The consumer has been deactivated.', 'invalid_token');
    return { kind: 'consumer', consumer, key, scopes: new Set(parseScopes(key.scopes)) };
  }

  return {
    /** Resolves an Authorization header to who is calling, or throws a 401 problem. */
    async authenticate(header: string | undefined): Promise<AuthContext> {
      if (!header) throw unauthenticated('This request needs an Authorization: Bearer credential.');
      const match = /^Bearer +(\S+) *$/i.exec(header);
      if (!match) throw unauthenticated('The Authorization header must use the Bearer scheme.', 'invalid_request');
      const credential = match[1]!;
      if (deps.adminToken && !parseCredential(credential)) {
        if (secretsEqual(credential, deps.adminToken)) return { kind: 'operator' };
        throw unauthenticated('Unknown API key or access token.', 'invalid_token');
      }
      return authenticateKey(credential);
    },
  };
}
export type Authenticator = ReturnType<typeof createAuthenticator>;
