// HMAC-SHA256 for every runtime: node:crypto where present (node-crypto.ts), elsewhere a
// pure-JavaScript HMAC for short bodies and Web Crypto for long ones (portable.ts).
import { nodeCryptoHmac } from './node-crypto.js';
import { portableHmac } from './portable.js';

/** base64(HMAC-SHA256(secret, prefix ‖ body)); a `whsec_…` string secret or the raw key bytes. */
export type HmacBase64 = (secret: string | Uint8Array, prefix: string, body: string | Uint8Array) => string | Promise<string>;

/** Synchronous on Node, a promise elsewhere. */
export const hmacBase64: HmacBase64 = (secret, prefix, body) => {
  const node = nodeCryptoHmac();
  return node ? node(secret, prefix, body) : portableHmac(secret, prefix, body);
};

/**
 * Compares two strings in time that depends only on their lengths. Hand-rolled
 * because no cross-runtime primitive exists (node:crypto.timingSafeEqual is Node-only,
 * Web Crypto has none); the signatures compared are of fixed length.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
