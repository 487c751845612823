import { base64ToBytes } from './base64.js';

export const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a `whsec_…` secret (the prefix is optional): its base64-decoded part. */
export function decodeSecret(secret: string): Uint8Array {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  try {
    return base64ToBytes(encoded);
  } catch {
    throw new TypeError('A webhook secret must be "whsec_" followed by base64');
  }
}

// Decoding a secret costs more than a short HMAC; a receiver has a handful of secrets.
const MAX_KEYS = 64;
const decoded = new Map<string, Uint8Array>();

/** The key bytes of a secret, decoded once while it stays among the last MAX_KEYS used (the same array each time). */
export function keyBytes(secret: string | Uint8Array): Uint8Array {
  if (typeof secret !== 'string') return secret;
  let bytes = decoded.get(secret);
  if (!bytes) {
    bytes = decodeSecret(secret);
    if (decoded.size >= MAX_KEYS) decoded.delete(decoded.keys().next().value!);
    decoded.set(secret, bytes);
  }
  return bytes;
}
