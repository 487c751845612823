// HMAC-SHA256 for every runtime. node:crypto is used where present, because it is
// synchronous and several times faster than Web Crypto's promise per call; it is
// reached through process.getBuiltinModule rather than an import so bundlers for
// browsers and edge runtimes never see a Node module. Web Crypto everywhere else.

interface NodeHmac {
  update(data: string | Uint8Array): NodeHmac;
  digest(encoding: 'base64'): string;
}
interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: Uint8Array): NodeHmac;
}

let nodeCrypto: NodeCrypto | null | undefined;

function node(): NodeCrypto | null {
  if (nodeCrypto === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    try {
      nodeCrypto = (proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined) ?? null;
    } catch {
      nodeCrypto = null;
    }
  }
  return nodeCrypto;
}

const encoder = new TextEncoder();
const webKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function webKey(key: Uint8Array): Promise<CryptoKey> {
  let cryptoKey = webKeys.get(key);
  if (!cryptoKey) {
    cryptoKey = globalThis.crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    webKeys.set(key, cryptoKey);
  }
  return cryptoKey;
}

/** base64(HMAC-SHA256(key, prefix ‖ body)); synchronous on Node, a promise elsewhere. */
export function hmacBase64(key: Uint8Array, prefix: string, body: string | Uint8Array): string | Promise<string> {
  const n = node();
  if (n) return n.createHmac('sha256', key).update(prefix).update(body).digest('base64');
  return webHmacBase64(key, prefix, body);
}

async function webHmacBase64(key: Uint8Array, prefix: string, body: string | Uint8Array): Promise<string> {
  const head = encoder.encode(prefix);
  const tail = typeof body === 'string' ? encoder.encode(body) : body;
  const message = new Uint8Array(head.length + tail.length);
  message.set(head);
  message.set(tail, head.length);
  const mac = await globalThis.crypto.subtle.sign('HMAC', await webKey(key), message);
  return bytesToBase64(new Uint8Array(mac));
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

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
