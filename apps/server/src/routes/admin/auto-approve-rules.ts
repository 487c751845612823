import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const autoApproveRulesRouter = ({ autoApproveRules }: Services) =>
  s.router(contract.admin.autoApproveRules, {
    create: async ({ body }) => ({ status: 201, body: await autoApproveRules.create(body) }),
    list: async ({ query }) => ({ status: 200, body: await autoApproveRules.list(query) }),
    get: async ({ params }) => ({ status: 200, body: await autoApproveRules.get(params.ruleId) }),
    update: async ({ params, body }) => ({ status: 200, body: await autoApproveRules.update(params.ruleId, body) }),
    delete: async ({ params }) => {
      await autoApproveRules.delete(params.ruleId);
      return { status: 204, body: undefined };
    },
  });
