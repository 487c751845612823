import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';

const s = initServer();

export const adminInteractionTypesRouter = ({ interactionTypes }: Services) =>
  s.router(contract.admin.interactionTypes, {
    create: async ({ body }) => ({ status: 201, body: await interactionTypes.add(body.name, body.description ?? null) }),
  });
