import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';
import type { Sql } from '../db/client.js';

export type ConnectionState = 'connecting' | 'idle' | 'busy' | 'reserved' | 'closed';

export interface PoolReading {
  /** Connections by state; the states a pool cannot tell are left out. */
  connections: Partial<Record<ConnectionState, number>>;
  /** Queries (or clients asked for) waiting for a connection. */
  waiting: number;
}

type PoolReader = () => PoolReading;

/** What patches/postgres@3.4.9.patch adds to a postgres.js pool: the sizes of its private queues. */
interface PostgresPoolStats {
  connecting: number;
  idle: number;
  busy: number;
  reserved: number;
  closed: number;
  waiting: number;
}

/**
 * A postgres.js pool's connections: idle, busy (queries in flight, pipelined or not),
 * reserved (held by a transaction), connecting, closed (not opened yet or dropped: the
 * rest of `max`). postgres.js 3.4 exposes none of this; the pnpm patch adds `poolStats()`.
 */
export function postgresPool(sql: Sql): PoolReader {
  const read = () => (sql as unknown as { poolStats: () => PostgresPoolStats }).poolStats();
  return () => {
    const { waiting, ...connections } = read();
    return { connections, waiting };
  };
}

/** node-postgres pools (graphile-worker's), from their public counters: no reserved or connecting state there. */
export function pgPools(pools: readonly pg.Pool[]): PoolReader {
  return () => {
    let total = 0;
    let idle = 0;
    let waiting = 0;
    let max = 0;
    for (const pool of pools) {
      total += pool.totalCount;
      idle += pool.idleCount;
      waiting += pool.waitingCount;
      max += pool.options.max ?? 10;
    }
    return { connections: { idle, busy: total - idle, closed: Math.max(0, max - total) }, waiting };
  };
}

const watched = new WeakMap<Registry, Map<string, PoolReader>>();

/**
 * Reports a pool as `ihf_db_pool_connections{pool, state}` and `ihf_db_pool_waiting_queries{pool}`,
 * read when scraped. The API and an in-process worker add their pools to one registry, so
 * the gauges are made once per registry.
 */
export function watchPool(registry: Registry, pool: string, read: PoolReader): void {
  let pools = watched.get(registry);
  if (!pools) {
    const known = new Map<string, PoolReader>();
    pools = known;
    watched.set(registry, known);
    new Gauge({
      name: 'ihf_db_pool_connections',
      help: 'Database connections of each pool of this process, by state',
      labelNames: ['pool', 'state'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [name, reader] of known) {
          for (const [state, n] of Object.entries(reader().connections)) this.set({ pool: name, state }, n);
        }
      },
    });
    new Gauge({
      name: 'ihf_db_pool_waiting_queries',
      help: 'Queries waiting for a free connection of each pool of this process',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const [name, reader] of known) this.set({ pool: name }, reader().waiting);
      },
    });
  }
  pools.set(pool, read);
}
