import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const keysRouter = ({ keys }: Services) =>
  s.router(contract.admin.keys, {
    create: async ({ params, body }) => ({ status: 201, body: await keys.issue(params.consumerId, body) }),
    list: async ({ params, query }) => ({ status: 200, body: await keys.list(params.consumerId, query) }),
    revoke: async ({ params }) => ({ status: 200, body: await keys.revoke(params.consumerId, params.keyId) }),
    rotate: async ({ params, body }) => ({ status: 201, body: await keys.rotate(params.consumerId, params.keyId, body) }),
  });
