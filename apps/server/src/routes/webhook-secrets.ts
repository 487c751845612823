import { contract } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Request } from 'express';
import type { Services } from '../services/index.js';
import { consumerOf } from './auth-context.js';

const s = initServer();

export const webhookSecretsRouter = ({ webhookSecrets }: Services) =>
  s.router(contract.webhookSecrets, {
    reveal: async ({ params, req }) => ({
      status: 200,
      body: await webhookSecrets.reveal(consumerOf(req as unknown as Request).consumer.id, params.id),
    }),
  });
