import { contract, type RequirementCandidate } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';

const s = initServer();

export const requirementCandidatesRouter = ({ records }: Services) =>
  s.router(contract.requirementCandidates, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createRequirementCandidate(consumerOf(req).consumer.id, body)) as RequirementCandidate,
    }),
    get: async ({ params }) => ({ status: 200, body: (await records.getOne('requirementCandidate', params.id)) as RequirementCandidate }),
    list: async ({ query }) => ({
      status: 200,
      body: (await records.list('requirementCandidate', query, {
        equals: { status: query.status, category: query.category },
      })) as { data: RequirementCandidate[]; next_cursor: string | null },
    }),
  });
