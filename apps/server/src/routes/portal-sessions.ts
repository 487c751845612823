import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Request } from 'express';
import { requestOrigin } from '../lib/origin.js';
import type { Services } from '../services/index.js';
import { consumerOf } from './auth-context.js';

const s = initServer();
// ts-rest's request type narrows `query`, which express's Request does not accept; only `auth` is read.
const caller = (req: Pick<Request, 'auth'>) => consumerOf(req as Request);

export const portalSessionsRouter = ({ portalSessions }: Services) =>
  s.router(contract.portalSessions, {
    create: async ({ body, req }) => ({ status: 201, body: await portalSessions.mintForCaller(caller(req), body, requestOrigin(req)) }),
    revokeCurrent: async ({ req }) => {
      await portalSessions.revokeCurrent(caller(req));
      return { status: 204, body: undefined };
    },
  });

export const adminPortalSessionsRouter = ({ portalSessions }: Services) =>
  s.router(contract.admin.portalSessions, {
    create: async ({ params, body, req }) => ({
      status: 201,
      body: await portalSessions.mintForConsumer(params.consumerId, body, requestOrigin(req)),
    }),
  });
