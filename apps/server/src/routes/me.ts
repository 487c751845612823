import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';
import { consumerOf } from './auth-context.js';

const s = initServer();

export const meRouter = ({ me }: Services) =>
  s.router(contract.me, {
    get: async ({ req }) => ({ status: 200, body: await me.describe(consumerOf(req)) }),
  });
