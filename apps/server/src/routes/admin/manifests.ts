import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const manifestsRouter = ({ manifests }: Services) =>
  s.router(contract.admin.manifests, {
    create: async ({ body }) => ({ status: 201, body: await manifests.create(body) }),
    list: async ({ query }) => ({ status: 200, body: await manifests.list(query) }),
    get: async ({ params }) => ({ status: 200, body: await manifests.get(params.manifestId) }),
    update: async ({ params, body }) => ({ status: 200, body: await manifests.update(params.manifestId, body) }),
  });
