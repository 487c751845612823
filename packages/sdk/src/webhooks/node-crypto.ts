// HMAC-SHA256 with node:crypto, where the runtime has it (Node, Bun, Deno's Node layer):
// synchronous, so no promise per call, and several times faster than Web Crypto there.
// Reached through process.getBuiltinModule rather than an import, so bundlers for
// browsers and edge runtimes never see a Node module.
import { keyBytes } from './secret.js';

interface NodeHmac {
  update(data: string | Uint8Array): NodeHmac;
  digest(encoding: 'base64'): string;
}
interface NodeCrypto {
  createHmac(algorithm: 'sha256', key: Uint8Array): NodeHmac;
}

export type NodeHmacBase64 = (secret: string | Uint8Array, prefix: string, body: string | Uint8Array) => string;

let hmac: NodeHmacBase64 | null | undefined;

/** The node:crypto HMAC, or null where the runtime has no node:crypto (looked up once, on first use). */
export function nodeCryptoHmac(): NodeHmacBase64 | null {
  if (hmac === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    let crypto: NodeCrypto | undefined;
    try {
      crypto = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
    } catch {
      crypto = undefined;
    }
    hmac = crypto ? (secret, prefix, body) => crypto.createHmac('sha256', keyBytes(secret)).update(prefix).update(body).digest('base64') : null;
  }
  return hmac;
}
