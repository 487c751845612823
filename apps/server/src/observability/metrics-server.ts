import express from 'express';
import type { Registry } from 'prom-client';
import { ApiError } from '../errors.js';
import type { Logger } from '../logger.js';
import { problemHandler } from '../middleware/problem.js';
import { requestId } from '../middleware/request-id.js';
import { listen, type RunningServer } from '../server.js';

/** GET /metrics for a process that serves no API (IHF_ROLE=worker); anything else is a 404 problem document. */
export async function serveMetrics(registry: Registry, port: number, host: string, logger: Logger): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestId);
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  app.use((req, _res, next) => next(new ApiError('route_not_found', `There is no route ${req.method} ${req.path}; this port serves GET /metrics.`)));
  app.use(problemHandler(logger));
  return listen(app, port, host);
}
