import { contract, type DecisionRecord } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { readerOf } from './reader.js';

const s = initServer();

export const decisionRecordsRouter = ({ records }: Services) =>
  s.router(contract.decisionRecords, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createDecisionRecord(readerOf(req), body)) as DecisionRecord,
    }),
    get: async ({ params, req }) => ({ status: 200, body: (await records.getOne('decisionRecord', params.id, readerOf(req))) as DecisionRecord }),
    list: async ({ query, req }) => ({
      status: 200,
      body: (await records.list('decisionRecord', readerOf(req), query, {
        equals: { requirement_candidate_id: query.requirement_candidate_id, outcome: query.outcome },
      })) as { data: DecisionRecord[]; next_cursor: string | null },
    }),
  });
