import { contract, type RequirementCandidate } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { readerOf } from './reader.js';

const s = initServer();

export const requirementCandidatesRouter = ({ records }: Services) =>
  s.router(contract.requirementCandidates, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createRequirementCandidate(readerOf(req), body)) as RequirementCandidate,
    }),
    get: async ({ params, req }) => ({ status: 200, body: (await records.getOne('requirementCandidate', params.id, readerOf(req))) as RequirementCandidate }),
    list: async ({ query, req }) => ({
      status: 200,
      body: (await records.list('requirementCandidate', readerOf(req), query, {
        equals: { status: query.status, category: query.category },
      })) as { data: RequirementCandidate[]; next_cursor: string | null },
    }),
  });
