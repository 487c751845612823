import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';
import type { Request } from 'express';
import { consumerOf } from './auth-context.js';

// ts-rest's request type narrows `query`, which express's Request does not accept; only `auth` is read.
const caller = (req: Pick<Request, 'auth'>) => consumerOf(req as Request);
const owner = (req: Pick<Request, 'auth'>) => caller(req).consumer;

const s = initServer();

export const webhookSubscriptionsRouter = ({ webhookSubscriptions: subs, portalSessions, webhookSecrets }: Services) =>
  s.router(contract.webhookSubscriptions, {
    create: async ({ body, req }) => ({
      status: 201,
      body: await subs.create(owner(req), await portalSessions.subscribingScopes(caller(req)), body),
    }),
    list: async ({ query, req }) => ({ status: 200, body: await subs.list(owner(req).id, query) }),
    get: async ({ params, req }) => ({ status: 200, body: await subs.get(owner(req).id, params.id) }),
    update: async ({ params, body, req }) => ({
      status: 200,
      body: await subs.update(owner(req).id, params.id, body),
    }),
    delete: async ({ params, req }) => {
      await subs.remove(owner(req).id, params.id);
      return { status: 204, body: undefined };
    },
    revealSecret: async ({ params, req, res }) => {
      const body = await webhookSecrets.reveal(owner(req).id, params.id);
      res.set('Cache-Control', 'no-store');
      return { status: 200, body };
    },
    rotateSecret: async ({ params, req }) => ({ status: 200, body: await subs.rotateSecret(owner(req).id, params.id) }),
    test: async ({ params, req }) => ({ status: 202, body: await subs.sendTest(owner(req).id, params.id) }),
    recover: async ({ params, body, req }) => ({ status: 202, body: await subs.recover(owner(req).id, params.id, body.since) }),
    listDeliveries: async ({ params, query, req }) => ({
      status: 200,
      body: await subs.listDeliveries(owner(req).id, params.id, query),
    }),
    redeliver: async ({ params, req }) => ({
      status: 202,
      body: await subs.redeliver(owner(req).id, params.id, params.deliveryId),
    }),
  });
