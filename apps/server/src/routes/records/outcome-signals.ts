import { contract, type OutcomeSignal } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';

const s = initServer();

export const outcomeSignalsRouter = ({ records }: Services) =>
  s.router(contract.outcomeSignals, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createOutcomeSignal(consumerOf(req).consumer.id, body)) as OutcomeSignal,
    }),
    get: async ({ params }) => ({ status: 200, body: (await records.getOne('outcomeSignal', params.id)) as OutcomeSignal }),
    list: async ({ query }) => ({
      status: 200,
      body: (await records.list('outcomeSignal', query, {
        equals: { deployment_record_id: query.deployment_record_id, metric: query.metric },
      })) as { data: OutcomeSignal[]; next_cursor: string | null },
    }),
  });
