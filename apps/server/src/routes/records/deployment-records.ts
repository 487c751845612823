import { contract, type DeploymentRecord } from '@ihf/contract';
import { initServer } from '@ts-rest/express';
import type { Services } from '../../services/index.js';
import { consumerOf } from '../auth-context.js';
import { readerOf } from './reader.js';

const s = initServer();

export const deploymentRecordsRouter = ({ records }: Services) =>
  s.router(contract.deploymentRecords, {
    create: async ({ body, req }) => ({
      status: 201,
      body: (await records.createDeploymentRecord(consumerOf(req).consumer.id, body)) as DeploymentRecord,
    }),
    get: async ({ params, req }) => ({ status: 200, body: (await records.getOne('deploymentRecord', params.id, readerOf(req))) as DeploymentRecord }),
    list: async ({ query, req }) => ({
      status: 200,
      body: (await records.list('deploymentRecord', readerOf(req), query, {
        equals: { decision_record_id: query.decision_record_id, environment: query.environment, status: query.status },
      })) as { data: DeploymentRecord[]; next_cursor: string | null },
    }),
  });
