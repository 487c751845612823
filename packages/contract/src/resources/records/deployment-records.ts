import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, Text, Timestamp, Uuid } from '../../common.js';
import { CreatedWindowQuery, recordBase, recordRoutes } from './shared.js';

export const DeploymentStatusSchema = z.enum(['in_progress', 'succeeded', 'failed', 'rolled_back']);

export const DeploymentRecord = extendApi(
  z.object({
    ...recordBase,
    decision_record_id: Uuid,
    version: z.string(),
    environment: z.string(),
    deployed_at: Timestamp,
    status: DeploymentStatusSchema,
  }),
  {
    title: 'DeploymentRecord',
    example: {
      id: '4f2a7b96-9fbc-4dbc-8e9b-6b7c8d9eafb0',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      decision_record_id: '3e1f6a85-8eab-4cab-8d8a-5a6b7c8d9eaf',
      version: '2.14.0',
      environment: 'production',
      deployed_at: '2026-11-26T08:00:00.000Z',
      status: 'succeeded',
      created_at: '2026-11-26T08:00:02.000Z',
    },
  },
);
export type DeploymentRecord = z.infer<typeof DeploymentRecord>;

const CreateDeploymentRecord = extendApi(
  z
    .object({
      decision_record_id: Uuid,
      version: Text.trim().min(1).max(200),
      environment: Text.trim().min(1).max(100),
      deployed_at: Timestamp,
      status: DeploymentStatusSchema,
    })
    .strict(),
  {
    title: 'CreateDeploymentRecordRequest',
    example: {
      decision_record_id: '3e1f6a85-8eab-4cab-8d8a-5a6b7c8d9eaf',
      version: '2.14.0',
      environment: 'production',
      deployed_at: '2026-11-26T08:00:00Z',
      status: 'succeeded',
    },
  },
);

export const deploymentRecordsContract = c.router(
  recordRoutes({
    resource: 'deployment-records',
    tag: 'Deployment records',
    noun: 'a deployment record',
    record: DeploymentRecord,
    create: CreateDeploymentRecord,
    listQuery: CreatedWindowQuery.extend({
      decision_record_id: Uuid.optional(),
      environment: Text.min(1).max(100).optional(),
      status: DeploymentStatusSchema.optional(),
    }),
    listTitle: 'DeploymentRecordList',
  }),
);
