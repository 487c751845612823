import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';
import { consumerOf } from './auth-context.js';

const s = initServer();

export const usageRouter = ({ usage }: Services) =>
  s.router(contract.usage, {
    get: async ({ req, query }) => ({ status: 200, body: await usage.series(consumerOf(req).consumer.id, query) }),
  });
