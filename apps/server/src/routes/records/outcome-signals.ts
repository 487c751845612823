import { contract, type OutcomeSignal } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';
import { readerOf } from './reader.js';

const s = initServer();

export const outcomeSignalsRouter = ({ records }: Services) =>
  s.router(contract.outcomeSignals, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createOutcomeSignal(consumerOf(req).consumer.id, body)) as OutcomeSignal,
    }),
    get: async ({ params, req }) => ({ status: 200, body: (await records.getOne('outcomeSignal', params.id, readerOf(req))) as OutcomeSignal }),
    list: async ({ query, req }) => ({
      status: 200,
      body: (await records.list('outcomeSignal', readerOf(req), query, {
        equals: { deployment_record_id: query.deployment_record_id, metric: query.metric },
      })) as { data: OutcomeSignal[]; next_cursor: string | null },
    }),
  });
