import { contract } from '@ihf/contract';
import type { Tracer } from '@opentelemetry/api';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import type { Config } from './config.js';
import type { Sql } from './db/client.js';
import { buildRouteTable } from './lib/route-table.js';
import type { Logger } from './logger.js';
import { createDatabaseGate } from './db/availability.js';
import { authorize } from './middleware/auth.js';
import { CLIENT_CLOSED_REQUEST, clientGone } from './middleware/client-gone.js';
import { databaseGate } from './middleware/database-gate.js';
import { idempotency } from './middleware/idempotency.js';
import { problemHandler } from './middleware/problem.js';
import { problemsRouter } from './problems/router.js';
import { rateLimit, rateLimitOnError } from './middleware/rate-limit.js';
import { requestLog } from './middleware/request-log.js';
import { requestId } from './middleware/request-id.js';
import { requireBodyType, resolveRoute } from './middleware/routing.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { traceRequests } from './observability/request-span.js';
import { mountApiRoutes } from './routes/index.js';
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

export const MAX_BODY_BYTES = 1024 * 1024;

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
  app.use(clientGone);
  if (deps.tracer) app.use(traceRequests(deps.tracer));
  // Before routing and auth, so 401s, 404s and 429s are logged too.
  app.use(requestLog(services.traffic.requestLog, now));
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req) => (req as express.Request).requestId,
      // The route template goes on the completion line only, not as a child logger
      // bound per request (each child costs its serialised bindings, level or not).
      customSuccessObject: (req, _res, value: object) => ({ ...value, route: (req as express.Request).apiRoute?.path }),
      customErrorObject: (req, _res, _err, value: object) => ({ ...value, route: (req as express.Request).apiRoute?.path }),
      // A response never sent has no status to pino (null): a client that left is 499.
      serializers: { res: (res: { statusCode: number | null; raw: { statusCode: number } }) => (res.raw.statusCode === CLIENT_CLOSED_REQUEST ? { ...res, statusCode: CLIENT_CLOSED_REQUEST } : res) },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(metrics.observe);
  app.use(opsRouter({ sql: deps.sql, gate, metrics, migrationsDir: deps.migrationsDir, publicBaseUrl: deps.config.PUBLIC_BASE_URL }));
  app.use(oauthMetadataRouter(deps.config));
  app.use(problemsRouter(problemTypeBase));
  app.use(webRouter(deps.config.WEB_DIST_DIR));

  // Everything else is the contract: resolve the route, authenticate, check the body's
  // media type, parse it, then hand over to ts-rest.
  app.use(databaseGate(gate));
  app.use(resolveRoute(buildRouteTable(contract)));
  app.use(authorize(services.authenticator));
  app.use(rateLimit(services.traffic.limiter, metrics.refused));
  app.use(rateLimitOnError(services.traffic.limiter, metrics.refused));
  app.use(requireBodyType);
  app.use(express.json({ limit: MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit: MAX_BODY_BYTES, extended: false }));
  app.use(idempotency(services.repos.idempotency, services.secretBox));
  mountApiRoutes(app, services);
  app.use(problemHandler(deps.logger, (err) => gate.report(err)));
  return { app, services, metrics };
}
