import { buildOpenApiDocument, documentServedFrom } from '@ihf/contract/openapi';
import { Router } from 'express';
import type { Sql } from '../db/client.js';
import { pendingMigrations } from '../db/migrate.js';
import type { DatabaseGate } from '../db/availability.js';
import { ApiError } from '../errors.js';
import { databaseUnavailable } from '../middleware/database-gate.js';
import { requestOrigin } from '../lib/origin.js';
import type { Metrics } from '../observability/metrics.js';

const READY_TIMEOUT_MS = 2000;

/** Health, readiness, the spec and Prometheus metrics (the spec's interactive reference, /docs, is in web/). */
export function opsRouter(deps: { sql: Sql; gate: DatabaseGate; metrics: Metrics; migrationsDir?: string; publicBaseUrl?: string }): Router {
  const router = Router();
  // Built on first request, not at start (about a tenth of start-up's CPU), and serialised
  // once with a stand-in origin (.invalid never occurs otherwise) put back per request.
  const STAND_IN = 'https://origin.invalid';
  let parts: string[] | undefined;
  const specFor = (base: string) => {
    parts ??= JSON.stringify(documentServedFrom(buildOpenApiDocument(), STAND_IN)).split(STAND_IN);
    return parts.join(JSON.stringify(base.replace(/\/+$/, '')).slice(1, -1));
  };

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    // Answers within 2 s whatever the database does: a load balancer's probe must not hang.
    if (!(await deps.gate.check(READY_TIMEOUT_MS))) throw databaseUnavailable('The database is not reachable.');
    const pending = await pendingMigrations(deps.sql, deps.migrationsDir);
    if (pending.length > 0) throw new ApiError('service_unavailable', `Migrations pending: ${pending.join(', ')}.`);
    res.json({ status: 'ready' });
  });

  router.get('/openapi.json', (req, res) => {
    res.type('application/json').send(specFor(deps.publicBaseUrl ?? requestOrigin(req)));
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
