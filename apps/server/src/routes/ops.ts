import { buildOpenApiDocument } from '@ihf/contract/openapi';
import { Router } from 'express';
import type { Sql } from '../db/client.js';
import { pendingMigrations } from '../db/migrate.js';
import { ApiError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';

/** Health, readiness, the spec and Prometheus metrics (the spec's interactive reference, /docs, is in web/). */
export function opsRouter(deps: { sql: Sql; metrics: Metrics; migrationsDir?: string }): Router {
  const router = Router();
  // Built on first request, not at start: generating it costs about a tenth of start-up's CPU.
  let spec: string | undefined;

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    try {
      await deps.sql`SELECT 1`;
    } catch {
      throw new ApiError('service_unavailable', 'The database is not reachable.');
    }
    const pending = await pendingMigrations(deps.sql, deps.migrationsDir);
    if (pending.length > 0) {
      throw new ApiError('service_unavailable', `Migrations pending: ${pending.join(', ')}.`);
    }
    res.json({ status: 'ready' });
  });

  router.get('/openapi.json', (_req, res) => {
    spec ??= JSON.stringify(buildOpenApiDocument());
    res.type('application/json').send(spec);
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
