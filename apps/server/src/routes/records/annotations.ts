import { contract, type Annotation } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';

const s = initServer();

export const annotationsRouter = ({ records }: Services) =>
  s.router(contract.annotations, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createAnnotation(consumerOf(req).consumer.id, body)) as Annotation,
    }),
    get: async ({ params }) => ({ status: 200, body: (await records.getOne('annotation', params.id)) as Annotation }),
    list: async ({ query }) => ({
      status: 200,
      body: (await records.list('annotation', query, {
        equals: { interaction_event_id: query.interaction_event_id, status: query.status },
        contains: { labels: query.label },
      })) as { data: Annotation[]; next_cursor: string | null },
    }),
  });
