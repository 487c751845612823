import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const reviewQueueRouter = ({ reviewQueue }: Services) =>
  s.router(contract.admin.reviewQueue, {
    listCandidates: async ({ query }) => ({ status: 200, body: await reviewQueue.listCandidates(query) }),
    approve: async ({ params, body }) => ({ status: 200, body: await reviewQueue.approve(params.candidateId, body.note) }),
    reject: async ({ params, body }) => ({ status: 200, body: await reviewQueue.reject(params.candidateId, body.note) }),
    release: async ({ params, body }) => ({ status: 200, body: await reviewQueue.release(params.candidateId, body.note) }),
    listAnnotations: async ({ query }) => ({ status: 200, body: await reviewQueue.listAnnotations(query) }),
    releaseAnnotation: async ({ params, body }) => ({
      status: 200,
      body: await reviewQueue.releaseAnnotation(params.annotationId, body.note),
    }),
  });
