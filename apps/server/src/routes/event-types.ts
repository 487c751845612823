import { contract, eventCatalog } from '@ihf/contract';
import { fromSchema } from '@openapi-contrib/openapi-schema-to-json-schema';
import { initServer } from '@ts-rest/express';
import type { Services } from '../services/index.js';

const s = initServer();

export const eventTypesRouter = ({ interactionTypes }: Services) => {
  // The catalog is static: build it once per app. Its readers validate payloads with plain
  // JSON Schema validators (a receiver in Python, Go…), to which OpenAPI 3.0's `nullable`
  // means nothing and a null value fails `type: string`: so the schemas go out as JSON
  // Schema draft 4 (null as one of the types), converted from the OpenAPI document's.
  const catalog = {
    data: eventCatalog().map((entry) => ({ ...entry, schema: fromSchema(entry.schema) as Record<string, unknown> })),
  };
  return s.router(contract.eventTypes, {
    list: async () => ({ status: 200, body: catalog }),
    listInteractionTypes: async () => ({ status: 200, body: { data: await interactionTypes.list() } }),
  });
};
