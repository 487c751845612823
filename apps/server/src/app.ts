import { contract } from '@ihf/contract';
import type { Tracer } from '@opentelemetry/api';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Sql } from './db/client.js';
import { buildRouteTable } from './lib/route-table.js';
import type { Logger } from './logger.js';
import { createDatabaseGate } from './db/availability.js';
import { databaseGate } from './middleware/database-gate.js';
import { idempotency } from './middleware/idempotency.js';
import { problemHandler } from './middleware/problem.js';
import { requestEnd } from './middleware/request-end.js';
import { problemsRouter } from './problems/router.js';
import { requestId } from './middleware/request-id.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { traceRequests } from './observability/request-span.js';
import { dispatchContract } from './routes/dispatch.js';
import { apiRouters } from './routes/index.js';
import { opsRouter } from './routes/ops.js';
import { oauthMetadataRouter } from './routes/oauth-metadata.js';
import { createServices } from './services/index.js';
import { webRouter } from './web/index.js';

export interface AppDeps {
  config: Config;
  sql: Sql;
  logger: Logger;
  /** Injected clock, so tests can move time. */
  now?: () => Date;
  migrationsDir?: string;
  /** Where the API's series go; one of its own when omitted. */
  registry?: Registry;
  /** Set only when tracing is on: then each request gets a span. */
  tracer?: Tracer;
}

export function createApp(deps: AppDeps): { app: Express; services: ReturnType<typeof createServices>; metrics: Metrics } {
  const now = deps.now ?? (() => new Date());
  const services = createServices({ config: deps.config, sql: deps.sql, now, logger: deps.logger });
  const metrics = createMetrics({ registry: deps.registry, sql: deps.sql, bufferedRows: () => services.traffic.requestLog.stats().pending });
  const gate = createDatabaseGate(deps.sql, { logger: deps.logger });
  const app = express();
  app.set('query parser', 'extended');
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  app.disable('etag');
  // Problem `type` URIs: under PUBLIC_BASE_URL when set, else relative to the answering server.
  const problemTypeBase = deps.config.PUBLIC_BASE_URL ?? '';
  app.locals.problemTypeBase = problemTypeBase;

  app.use(requestId);
  // Before routing and auth, so 401s, 404s and 429s are recorded too.
  app.use(requestEnd({ writer: services.traffic.requestLog, logger: deps.logger, now, observe: metrics.observe }));
  if (deps.tracer) app.use(traceRequests(deps.tracer));

  // The contract, served from one route table (routes/dispatch.ts). API requests go to it
  // first (none of the routers below serves a path under the API prefix), unless
  // PostgreSQL is away: then they get a 503 at once.
  const serveContract = dispatchContract({
    table: buildRouteTable(contract),
    contract,
    implementation: apiRouters(services),
    authenticator: services.authenticator,
    limiter: services.traffic.limiter,
    onRefused: metrics.refused,
    idempotency: idempotency(services.repos.idempotency, services.secretBox, deps.logger),
  });
  app.use(databaseGate(gate, serveContract));
  app.use(opsRouter({ sql: deps.sql, gate, metrics, migrationsDir: deps.migrationsDir, publicBaseUrl: deps.config.PUBLIC_BASE_URL }));
  app.use(oauthMetadataRouter(deps.config));
  app.use(problemsRouter(problemTypeBase));
  app.use(webRouter(deps.config.WEB_DIST_DIR));
  // Any other path: the contract's 404 (or 405) problem document.
  app.use(serveContract);
  app.use(problemHandler(deps.logger, (err) => gate.report(err)));
  return { app, services, metrics };
}
