import type { Request } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sql } from '../db/client.js';
import type { PolicyName } from '../services/limits/policy.js';
import { postgresPool, watchPool } from './pools.js';
import { routeOf } from './route.js';

/** A registry with the process's own series (CPU, memory, event loop lag, GC). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

const LIMITS: readonly PolicyName[] = ['burst', 'minute', 'day'];

/**
 * The API's series, on a registry of its own per app instance (so tests and replicas in one
 * process never share series) unless the caller passes one: in IHF_ROLE=server the webhook
 * worker adds its series to the same registry, so one /metrics shows both.
 */
export function createMetrics(deps: { registry?: Registry; sql: Sql; bufferedRows: () => number }) {
  const registry = deps.registry ?? createRegistry();
  const httpDuration = new Histogram({
    name: 'ihf_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'ihf_rate_limit_refusals_total',
    help: 'Requests refused with 429 by the limit that refused them (burst, minute, day)',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  // Every limit's series exists from the start, so rate() sees the first refusal.
  for (const limit of LIMITS) refusals.inc({ limit }, 0);
  new Gauge({
    name: 'ihf_request_log_buffered_rows',
    help: 'Request log entries in memory, not yet written to PostgreSQL',
    registers: [registry],
    collect() {
      this.set(deps.bufferedRows());
    },
  });
  watchPool(registry, 'api', postgresPool(deps.sql));

  /** A response sent; called from the one listener that records finished requests (middleware/request-end.ts). */
  const observe = (req: Request, status: number, seconds: number) =>
    httpDuration.observe({ method: req.method, route: routeOf(req), status }, seconds);

  return {
    registry,
    observe,
    /** A request refused by a rate limit. */
    refused: (limit: PolicyName) => refusals.inc({ limit }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
