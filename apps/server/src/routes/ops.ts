import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { buildOpenApiDocument } from '@ihf/contract/openapi';
import express, { Router } from 'express';
import type { Sql } from '../db/client.js';
import { pendingMigrations } from '../db/migrate.js';
import { ApiError } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>IHF External API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true });`;

/** Health, readiness, the spec, its interactive reference and Prometheus metrics. */
export function opsRouter(deps: { sql: Sql; metrics: Metrics; migrationsDir?: string }): Router {
  const router = Router();
  const spec = JSON.stringify(buildOpenApiDocument());

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
    res.type('application/json').send(spec);
  });

  router.get('/docs', (_req, res) => {
    res.type('html').send(DOCS_HTML);
  });
  router.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send(DOCS_INIT);
  });
  router.use('/docs/assets', express.static(swaggerUiDir, { index: false }));

  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
