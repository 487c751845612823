import { contract } from '@ihf/contract';
import { createExpressEndpoints } from '@ts-rest/express';
import type { Express } from 'express';
import { validationError } from '../middleware/problem.js';
import type { Services } from '../services/index.js';
import { consumersRouter } from './admin/consumers.js';
import { keysRouter } from './admin/keys.js';
import { manifestsRouter } from './admin/manifests.js';
import { meRouter } from './me.js';
import { tokenRouter } from './token.js';
import { usageRouter } from './usage.js';
import { adminUsageRouter } from './admin/usage.js';

/** Every resource router, composed in one place against the one contract. */
export function mountApiRoutes(app: Express, services: Services): void {
  createExpressEndpoints(
    contract,
    {
      me: meRouter(services),
      token: tokenRouter(services),
      usage: usageRouter(services),
      admin: {
        consumers: consumersRouter(services),
        keys: keysRouter(services),
        manifests: manifestsRouter(services),
        usage: adminUsageRouter(services),
      },
    },
    app,
    {
      requestValidationErrorHandler: (err, _req, _res, next) => next(validationError(err)),
    },
  );
}
