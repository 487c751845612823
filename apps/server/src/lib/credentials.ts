import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenType } from '@ihf/contract';

/**
 * Credential format: `<kind>_<8 hex key_prefix>_<43 base64url chars = 256 random bits>`.
 * The kind prefixes are distinctive so secret scanners can match leaked keys
 * (`ihfk_` static API keys, `ihfat_` OAuth access tokens, `ihfpt_` portal credentials).
 */
export const CREDENTIAL_KINDS = { static: 'ihfk', oauth: 'ihfat', portal: 'ihfpt' } as const satisfies Record<TokenType, string>;
export type CredentialKind = keyof typeof CREDENTIAL_KINDS;

const KIND_OF_PREFIX = new Map<string, CredentialKind>(Object.entries(CREDENTIAL_KINDS).map(([kind, prefix]) => [prefix, kind as CredentialKind]));
const CREDENTIAL_PATTERN = /^(ihfk|ihfat|ihfpt)_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$/;

export interface GeneratedCredential {
  key: string;
  keyPrefix: string;
  keyHash: string;
}

/** One-shot crypto.hash: the cheapest SHA-256 node:crypto offers for a short string (it is on every request). */
export function sha256Hex(value: string): string {
  return hash('sha256', value);
}

export function generateCredential(kind: CredentialKind): GeneratedCredential {
  const keyPrefix = randomBytes(4).toString('hex');
  const key = `${CREDENTIAL_KINDS[kind]}_${keyPrefix}_${randomBytes(32).toString('base64url')}`;
  return { key, keyPrefix, keyHash: sha256Hex(key) };
}

/** The public key_prefix of a well-formed credential, or null for anything else. */
export function parseCredential(raw: string): { kind: CredentialKind; keyPrefix: string } | null {
  const match = CREDENTIAL_PATTERN.exec(raw);
  if (!match) return null;
  return { kind: KIND_OF_PREFIX.get(match[1]!)!, keyPrefix: match[2]! };
}

/** Constant-time comparison of two hex digests of equal length. */
export function hashesEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, 'hex');
  const b = Buffer.from(bHex, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function secretsEqual(a: string, b: string): boolean {
  return hashesEqual(sha256Hex(a), sha256Hex(b));
}
