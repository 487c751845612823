import { contract, eventCatalog } from '@ihf/contract';
import { initServer } from '@ts-rest/express';

const s = initServer();

export const eventTypesRouter = () => {
  // The catalog is static: build it once per app.
  const catalog = { data: eventCatalog() };
  return s.router(contract.eventTypes, {
    list: async () => ({ status: 200, body: catalog }),
  });
};
