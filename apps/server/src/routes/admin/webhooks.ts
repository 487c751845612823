import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const adminWebhooksRouter = ({ webhookSubscriptions }: Services) =>
  s.router(contract.admin.webhooks, {
    deliveries: async ({ query }) => ({ status: 200, body: await webhookSubscriptions.listAllDeliveries(query) }),
  });
