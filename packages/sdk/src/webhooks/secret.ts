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
