import { buildOpenApiDocument, documentServedFrom } from '@ihf/contract/openapi';
import { Router } from 'express';
import type { Sql } from '../db/client.js';
import { pendingMigrations } from '../db/migrate.js';
import { ApiError } from '../errors.js';
import { requestOrigin } from '../lib/origin.js';
import type { Metrics } from '../observability/metrics.js';

/** Health, readiness, the spec and Prometheus metrics (the spec's interactive reference, /docs, is in web/). */
export function opsRouter(deps: { sql: Sql; metrics: Metrics; migrationsDir?: string; publicBaseUrl?: string }): Router {
  const router = Router();
  const doc = buildOpenApiDocument();
  // The spec names the server it came from; the last one is kept, as one origin is the rule.
  let served = { base: '', json: '' };
  const specFor = (base: string) => {
    if (served.base !== base) served = { base, json: JSON.stringify(documentServedFrom(doc, base)) };
    return served.json;
  };

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

  router.get('/openapi.json', (req, res) => {
    res.type('application/json').send(specFor(deps.publicBaseUrl ?? requestOrigin(req)));
  });

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
