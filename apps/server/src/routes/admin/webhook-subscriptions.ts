import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const adminWebhookSubscriptionsRouter = ({ adminWebhookSubscriptions: subs }: Services) =>
  s.router(contract.admin.webhookSubscriptions, {
    list: async ({ query }) => ({ status: 200, body: await subs.list(query) }),
    listForConsumer: async ({ params, query }) => ({ status: 200, body: await subs.listForConsumer(params.consumerId, query) }),
    update: async ({ params, body }) => ({ status: 200, body: await subs.update(params.subscriptionId, body) }),
  });
