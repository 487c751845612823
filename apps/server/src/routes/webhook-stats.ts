import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';
import { consumerOf } from './auth-context.js';

const s = initServer();

export const webhookStatsRouter = ({ webhookStats }: Services) =>
  s.router(contract.webhookStats, {
    get: async ({ req, query }) => ({ status: 200, body: await webhookStats.forConsumer(consumerOf(req).consumer.id, query) }),
  });

export const adminWebhookStatsRouter = ({ webhookStats }: Services) =>
  s.router(contract.admin.webhookStats, {
    get: async ({ query }) => ({ status: 200, body: await webhookStats.forAdmin(query) }),
  });
