import { contract, eventCatalog } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';

const s = initServer();

export const eventTypesRouter = ({ interactionTypes }: Services) => {
  // The catalog is static: build it once per app.
  const catalog = { data: eventCatalog() };
  return s.router(contract.eventTypes, {
    list: async () => ({ status: 200, body: catalog }),
    listInteractionTypes: async () => ({ status: 200, body: { data: await interactionTypes.list() } }),
    addInteractionType: async ({ body }) => ({ status: 201, body: await interactionTypes.add(body.name, body.description ?? null) }),
  });
};
