import { contract, type Annotation } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';
import { readerOf } from './reader.js';

const s = initServer();

export const annotationsRouter = ({ records }: Services) =>
  s.router(contract.annotations, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createAnnotation(consumerOf(req).consumer.id, body)) as Annotation,
    }),
    get: async ({ params, req }) => ({ status: 200, body: (await records.getOne('annotation', params.id, readerOf(req))) as Annotation }),
    list: async ({ query, req }) => ({
      status: 200,
      body: (await records.list('annotation', readerOf(req), query, {
        equals: { interaction_event_id: query.interaction_event_id, status: query.status },
        contains: { labels: query.label },
      })) as { data: Annotation[]; next_cursor: string | null },
    }),
  });
