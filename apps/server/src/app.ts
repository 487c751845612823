import { API_PREFIX, contract } from '@ihf/contract';
import type { Tracer } from '@opentelemetry/api';
import express, { type Express } from 'express';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Sql } from './db/client.js';
import { buildRouteTable } from './lib/route-table.js';
import type { Logger } from './logger.js';
import { idempotency } from './middleware/idempotency.js';
import { problemHandler } from './middleware/problem.js';
import { requestEnd } from './middleware/request-end.js';
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
  const app = express();
  app.set('query parser', 'extended');
  app.set('trust proxy', false);
  app.disable('x-powered-by');
  app.disable('etag');

  app.use(requestId);
  // Before routing and auth, so 401s, 404s and 429s are recorded too.
  app.use(requestEnd({ writer: services.traffic.requestLog, logger: deps.logger, now, observe: metrics.observe }));
  if (deps.tracer) app.use(traceRequests(deps.tracer));

  // The contract, served from one route table (routes/dispatch.ts). API requests go to it
  // first: none of the routers below serves a path under the API prefix.
  const serveContract = dispatchContract({
    table: buildRouteTable(contract),
    contract,
    implementation: apiRouters(services),
    authenticator: services.authenticator,
    limiter: services.traffic.limiter,
    onRefused: metrics.refused,
    idempotency: idempotency(services.repos.idempotency, services.secretBox, deps.logger),
  });
  app.use((req, res, next) => (req.path.startsWith(API_PREFIX) ? serveContract(req, res, next) : next()));
  app.use(opsRouter({ sql: deps.sql, metrics, migrationsDir: deps.migrationsDir }));
  app.use(oauthMetadataRouter(deps.config));
  app.use(webRouter(deps.config.WEB_DIST_DIR));
  // Any other path: the contract's 404 (or 405) problem document.
  app.use(serveContract);
  app.use(problemHandler(deps.logger));
  return { app, services, metrics };
}
