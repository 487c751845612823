import { LRUCache } from 'lru-cache';
import { vetTarget, type LookupFn, type VettedTarget } from './ssrf.js';

/** How long a target's SSRF verdict (its vetted address) is reused before it is resolved and checked again. */
export const TARGET_VERDICT_TTL_MS = 30_000;

/**
 * SSRF verdicts per target URL, reused for a while and shared by the attempts that ask at
 * once. The connection still goes to the vetted address (the sender pins it), so a DNS
 * change meanwhile cannot redirect it; a refusal is not cached, so it is checked every time.
 * `fetch` throws UnsafeTargetError for a refused target.
 */
export function createTargetVerdicts(opts: { allowPrivate: boolean; lookup?: LookupFn; ttlMs?: number }) {
  return new LRUCache<string, VettedTarget>({
    max: 10_000,
    ttl: opts.ttlMs ?? TARGET_VERDICT_TTL_MS,
    fetchMethod: (url) => vetTarget(url, { allowPrivate: opts.allowPrivate, lookup: opts.lookup }),
  });
}
