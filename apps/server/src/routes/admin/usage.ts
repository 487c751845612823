import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const adminUsageRouter = ({ usage }: Services) =>
  s.router(contract.admin.usage, {
    overview: async ({ query }) => ({ status: 200, body: await usage.overview(query) }),
    consumer: async ({ params, query }) => ({ status: 200, body: await usage.consumerSeries(params.consumerId, query) }),
    billing: async ({ params }) => ({ status: 200, body: await usage.billing(params.consumerId) }),
    requestLog: async ({ query }) => ({ status: 200, body: await usage.requestLogPage(query) }),
    series: async ({ query }) => ({ status: 200, body: await usage.traffic(query) }),
  });
