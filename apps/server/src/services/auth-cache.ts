import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Sql } from '../db/client.js';
import type { KeyWithConsumer, KeysRepository } from '../db/repositories/keys.js';

/** The channel migration 0005's triggers notify on: `key:<prefix>`, `consumer:<id>`, `manifest:<id>`. */
export const AUTH_INVALIDATE_CHANNEL = 'ihf_auth_invalidate';

export interface AuthCacheOptions {
  /** Safety net for a missed notification; invalidation normally comes by NOTIFY at once. */
  ttlMs?: number;
  max?: number;
}

/**
 * Key lookups for authentication, cached in-process so a request does not hit the
 * database, and dropped on every replica the moment a key, consumer or manifest
 * changes: PostgreSQL triggers NOTIFY, every process LISTENs.
 */
export function createAuthCache(deps: { sql: Sql; keys: KeysRepository; logger?: { warn(o: object, m: string): void } }, options: AuthCacheOptions = {}) {
  const cache = new LRUCache<string, KeyWithConsumer>({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 30_000 });
  // Bumped by every invalidation. A lookup that started before one must not store what
  // it read, since the row may have changed after it was read.
  let generation = 0;
  let hits = 0;
  let misses = 0;

  function dropWhere(match: (entry: KeyWithConsumer, prefix: string) => boolean) {
    for (const [prefix, entry] of cache.entries()) if (match(entry, prefix)) cache.delete(prefix);
  }

  /** Sentinels this process sent and waits to hear back (see sync()). */
  const waiting = new Map<string, () => void>();

  /** Applies one notification payload. Scans are fine: changes are rare next to lookups. */
  function invalidate(payload: string) {
    if (payload.startsWith('sync:')) {
      waiting.get(payload)?.();
      return;
    }
    generation++;
    const sep = payload.indexOf(':');
    const kind = payload.slice(0, sep);
    const id = payload.slice(sep + 1);
    switch (kind) {
      case 'key':
        cache.delete(id);
        // An OAuth token's validity follows its parent key.
        dropWhere((e) => e.parent?.key_prefix === id);
        return;
      case 'consumer':
        dropWhere((e) => e.consumer.id === id);
        return;
      case 'manifest':
        dropWhere((e) => e.consumer.hub_capability_manifest_id === id);
        return;
      default:
        cache.clear();
    }
  }

  function clear() {
    generation++;
    cache.clear();
  }

  let disabled = false;
  // postgres.js re-LISTENs after a reconnect and calls onlisten again; anything that
  // changed while disconnected was missed, so start from empty each time.
  const listening = deps.sql
    .listen(AUTH_INVALIDATE_CHANNEL, invalidate, clear)
    .catch((err: unknown) => {
      deps.logger?.warn({ err }, 'auth cache: LISTEN failed; caching disabled');
      disabled = true;
      clear();
      return undefined;
    });

  return {
    /** Resolves once this process receives invalidations. */
    ready: listening.then(() => undefined),

    async lookup(keyPrefix: string): Promise<KeyWithConsumer | undefined> {
      const hit = disabled ? undefined : cache.get(keyPrefix);
      if (hit) {
        hits++;
        return hit;
      }
      misses++;
      const before = generation;
      const found = await deps.keys.findByPrefixWithConsumer(keyPrefix);
      // Unknown prefixes are not cached: a key issued a moment later must work at once.
      if (found && !disabled && before === generation) cache.set(keyPrefix, found);
      return found;
    },

    /** Local, synchronous invalidation for writes made by this process (NOTIFY follows). */
    invalidate,

    /**
     * Resolves once this process has heard every notification committed before the call;
     * PostgreSQL signals all listeners at once, so other replicas have it too. Bounded.
     */
    async sync(timeoutMs = 2000): Promise<boolean> {
      if (disabled) return false;
      await listening;
      const payload = `sync:${randomUUID()}`;
      let timer: NodeJS.Timeout | undefined;
      const heard = new Promise<boolean>((resolve) => {
        waiting.set(payload, () => resolve(true));
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        await deps.sql`SELECT pg_notify(${AUTH_INVALIDATE_CHANNEL}, ${payload})`;
        return await heard;
      } finally {
        clearTimeout(timer);
        waiting.delete(payload);
      }
    },
    clear,
    stats: () => ({ size: cache.size, hits, misses }),

    async close() {
      const sub = await listening;
      await sub?.unlisten();
    },
  };
}
export type AuthCache = ReturnType<typeof createAuthCache>;

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/**
 * Wraps write methods of a service so each answers only after this process's auth cache
 * has heard the NOTIFYs the write committed (see AuthCache.sync): an admin who
 * deactivates a consumer or narrows a manifest gets the answer once the change is in force.
 */
export function syncedWrites<T extends object, K extends keyof T>(service: T, methods: readonly K[], cache: Pick<AuthCache, 'sync'>): T {
  const wrapped: Partial<T> = {};
  for (const name of methods) {
    const method = service[name] as unknown as AsyncMethod;
    wrapped[name] = (async (...args: never[]) => {
      const result = await method(...args);
      await cache.sync();
      return result;
    }) as unknown as T[K];
  }
  return { ...service, ...wrapped };
}
