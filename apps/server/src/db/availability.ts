import postgres from 'postgres';
import type { Logger } from '../logger.js';
import type { Sql } from './client.js';

/** Socket errors and postgres.js's own connection errors: the server is not there (or went). */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
]);

/** SQLSTATEs of a server shutting down, starting up or out of connections (class 08: connection exceptions). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** True when err says PostgreSQL cannot be reached or cannot serve now, rather than that a query was wrong. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof postgres.PostgresError) return UNAVAILABLE_SQLSTATES.has(err.code) || err.code.startsWith('08');
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

export interface DatabaseGate {
  /** False from the first unavailability error until a probe query answers again. */
  readonly available: boolean;
  /** Tells the gate of a failed query; answers whether it was an unavailability error. */
  report(err: unknown): boolean;
  /** One `SELECT 1` that fails after timeoutMs (readiness); an unavailability error closes the gate, slowness does not. */
  check(timeoutMs: number): Promise<boolean>;
  close(): void;
}

/**
 * Fails requests fast while PostgreSQL is away, instead of letting them queue in the pool
 * behind reconnects: once a query fails for unavailability the gate closes, and a probe
 * every `probeIntervalMs` opens it again on the first answer.
 */
export function createDatabaseGate(
  sql: Sql,
  opts: { logger?: Pick<Logger, 'info' | 'warn'>; probeIntervalMs?: number; probeTimeoutMs?: number } = {},
): DatabaseGate {
  const probeIntervalMs = opts.probeIntervalMs ?? 250;
  const probeTimeoutMs = opts.probeTimeoutMs ?? 2000;
  let available = true;
  let probe: NodeJS.Timeout | undefined;
  let closed = false;

  const selectOne = (timeoutMs: number) => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      // Not an unavailability error: a pool busy under load is slow, not gone.
      timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([sql`SELECT 1`, deadline]).finally(() => clearTimeout(timer));
  };

  const scheduleProbe = () => {
    if (closed || probe) return;
    probe = setTimeout(() => {
      selectOne(probeTimeoutMs).then(
        () => {
          probe = undefined;
          available = true;
          opts.logger?.info('PostgreSQL reachable again: serving requests');
        },
        () => {
          probe = undefined;
          scheduleProbe();
        },
      );
    }, probeIntervalMs);
    probe.unref();
  };

  const gate: DatabaseGate = {
    get available() {
      return available;
    },
    report(err) {
      if (!isDatabaseUnavailable(err)) return false;
      if (available) opts.logger?.warn({ err: (err as Error).message }, 'PostgreSQL unreachable: answering 503 until it is back');
      available = false;
      scheduleProbe();
      return true;
    },
    async check(timeoutMs) {
      if (!available) return false;
      try {
        await selectOne(timeoutMs);
        return true;
      } catch (err) {
        gate.report(err);
        return false;
      }
    },
    close() {
      closed = true;
      clearTimeout(probe);
    },
  };
  return gate;
}
