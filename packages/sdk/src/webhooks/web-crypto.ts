// HMAC-SHA256 with Web Crypto (browsers, Deno, Bun, edge runtimes). Each call is one
// `subtle.sign`; around it, the key is imported once per secret and kept, and the signed
// bytes are encoded in one pass into one buffer.
import { bytesToBase64 } from './base64.js';
import { decodeSecret } from './secret.js';

const encoder = new TextEncoder();
const ALGORITHM = { name: 'HMAC', hash: 'SHA-256' } as const;

// A receiver verifies with a handful of secrets (two while rotating); the bound only stops
// a caller that passes a fresh secret each time from growing the map without end.
const MAX_KEYS = 64;
type Key = CryptoKey | Promise<CryptoKey>;
const byString = new Map<string, Key>();
const byBytes = new WeakMap<Uint8Array, Key>();

function importKey(raw: Uint8Array): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, ALGORITHM, false, ['sign']);
}

/** The CryptoKey of a secret, imported on first use; once it resolves the key itself is kept, not its promise. */
function keyFor(secret: string | Uint8Array): Key {
  if (typeof secret !== 'string') {
    let key = byBytes.get(secret);
    if (!key) {
      key = importKey(secret).then((k) => (byBytes.set(secret, k), k));
      byBytes.set(secret, key);
    }
    return key;
  }
  const key = byString.get(secret);
  if (key) return key;
  // The oldest secret goes first: re-importing a key now and then costs less than keeping an order on every call.
  if (byString.size >= MAX_KEYS) byString.delete(byString.keys().next().value!);
  const raw = decodeSecret(secret);
  const pending = importKey(raw).then((k) => {
    if (byString.get(secret) === pending) byString.set(secret, k);
    return k;
  });
  // A failed import is not kept: the next call tries (and reports) it again.
  pending.catch(() => byString.get(secret) === pending && byString.delete(secret));
  byString.set(secret, pending);
  return pending;
}

/** `prefix ‖ body` as bytes, in one buffer. */
export function message(prefix: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof body === 'string') return encoder.encode(prefix + body);
  // UTF-8 takes at most 3 bytes per UTF-16 unit of the prefix (`id.timestamp.`).
  const out = new Uint8Array(prefix.length * 3 + body.length);
  const { written } = encoder.encodeInto(prefix, out);
  out.set(body, written);
  return out.subarray(0, written + body.length);
}

/** base64(HMAC-SHA256(secret, prefix ‖ body)) with Web Crypto. */
export async function webCryptoHmac(secret: string | Uint8Array, prefix: string, body: string | Uint8Array): Promise<string> {
  let key = keyFor(secret);
  if (key instanceof Promise) key = await key;
  const mac = await globalThis.crypto.subtle.sign('HMAC', key, message(prefix, body));
  return bytesToBase64(new Uint8Array(mac));
}
