import { contract, eventCatalog } from '@ihf/contract';
import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';

const s = initServer();

export const eventTypesRouter = ({ interactionTypes }: Services) => {
  // Static, so built once. Draft 4 JSON Schema, not OpenAPI's: receivers' plain validators
  // ignore `nullable` and would fail a null against `type: string`.
  const catalog = {
    data: eventCatalog().map((entry) => ({ ...entry, schema: fromSchema(entry.schema) as Record<string, unknown> })),
    next_cursor: null,
  };
  return s.router(contract.eventTypes, {
    list: async () => ({ status: 200, body: catalog }),
    listInteractionTypes: async ({ query }) => ({ status: 200, body: await interactionTypes.list(query) }),
  });
};
