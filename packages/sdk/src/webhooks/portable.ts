// HMAC-SHA256 where there is no node:crypto (browsers, edge runtimes). Every subtle.sign
// pays a fixed cost (a promise and a hop to another thread: about 20 µs on Node 20) that a
// pure-JavaScript HMAC (@noble/hashes, audited) undercuts on the short bodies webhooks
// carry; past PURE_JS_MAX_BYTES Web Crypto's native hashing wins.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBase64 } from './base64.js';
import { keyBytes } from './secret.js';
import { message, webCryptoHmac } from './web-crypto.js';

export const PURE_JS_MAX_BYTES = 4096;

// The HMAC state after the key's pads, per key (keyBytes returns one array per cached secret).
const keyed = new WeakMap<Uint8Array, ReturnType<typeof hmac.create>>();

/** base64(HMAC-SHA256(secret, prefix ‖ body)) with @noble/hashes, synchronously. */
export function pureJsHmac(secret: string | Uint8Array, prefix: string, body: string | Uint8Array): string {
  const key = keyBytes(secret);
  let state = keyed.get(key);
  if (!state) keyed.set(key, (state = hmac.create(sha256, key)));
  return bytesToBase64(state.clone().update(message(prefix, body)).digest());
}

/** The faster of the two for this body: synchronous for short bodies, a promise for long ones. */
export function portableHmac(secret: string | Uint8Array, prefix: string, body: string | Uint8Array): string | Promise<string> {
  const size = typeof body === 'string' ? body.length : body.byteLength;
  return size <= PURE_JS_MAX_BYTES ? pureJsHmac(secret, prefix, body) : webCryptoHmac(secret, prefix, body);
}
