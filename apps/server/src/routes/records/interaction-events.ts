import { contract, type InteractionEvent } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';
import { readerOf } from './reader.js';

const s = initServer();

export const interactionEventsRouter = ({ records }: Services) =>
  s.router(contract.interactionEvents, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createInteractionEvent(consumerOf(req).consumer.id, body)) as InteractionEvent,
    }),
    createBatch: async ({ body, req }) => ({
      status: 201,
      body: await records.createInteractionEventBatch(consumerOf(req).consumer.id, body.events),
    }),
    get: async ({ params, req }) => ({ status: 200, body: (await records.getOne('interactionEvent', params.id, readerOf(req))) as InteractionEvent }),
    list: async ({ query, req }) => ({
      status: 200,
      body: (await records.list('interactionEvent', readerOf(req), query, {
        equals: { event_type: query.event_type, subject_id: query.subject_id, actor_id: query.actor_id },
      })) as { data: InteractionEvent[]; next_cursor: string | null },
    }),
  });
