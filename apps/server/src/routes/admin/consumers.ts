import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const consumersRouter = ({ consumers }: Services) =>
  s.router(contract.admin.consumers, {
    create: async ({ body }) => ({ status: 201, body: await consumers.create(body) }),
    list: async ({ query }) => ({ status: 200, body: await consumers.list(query) }),
    get: async ({ params }) => ({ status: 200, body: await consumers.get(params.consumerId) }),
    update: async ({ params, body }) => ({ status: 200, body: await consumers.update(params.consumerId, body) }),
    deactivate: async ({ params }) => ({ status: 200, body: await consumers.deactivate(params.consumerId) }),
  });
