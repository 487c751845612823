import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, IdempotencyHeaders, listOf, PaginationQuery, Problem, Timestamp, Uuid } from '../../common.js';
import { ScopeSchema } from '../../scopes.js';
import { EventTopicSchema } from '../../webhooks/topics.js';

export const Manifest = extendApi(
  z.object({
    id: Uuid,
    name: z.string(),
    version: z.string(),
    description: z.string().nullable(),
    scopes: z.array(ScopeSchema).describe('The only scopes keys of a hub with this manifest may carry'),
    event_types: z.array(EventTopicSchema).describe('The only webhook topics such a hub may subscribe to'),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  {
    title: 'HubCapabilityManifest',
    example: {
      id: '0b7c6a52-5a8e-4f5e-9a0c-2f1b9f0f7d11',
      name: 'clinical-outcomes-hub',
      version: '1.2.0',
      description: 'Reads deployments, writes outcome signals',
      scopes: ['deployment-records:read', 'outcome-signals:write'],
      event_types: ['deployment_record.created'],
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    },
  },
);
export type Manifest = z.infer<typeof Manifest>;

const ManifestInput = z.object({
  name: z.string().trim().min(1).max(200),
  version: z.string().trim().min(1).max(50),
  description: z.string().max(2000).nullish(),
  scopes: z.array(ScopeSchema).max(50),
  event_types: z.array(EventTopicSchema).max(20).default([]),
});

const ManifestParams = z.object({ manifestId: Uuid });
const tag = 'Admin: manifests';

export const manifestsContract = c.router({
  create: {
    method: 'POST',
    path: '/admin/manifests',
    body: extendApi(ManifestInput.strict(), { title: 'CreateManifestRequest' }),
    headers: IdempotencyHeaders,
    responses: { 201: Manifest, 409: Problem },
    summary: 'Declare a hub capability manifest',
    description:
      '409 when a manifest with this name and version exists, and while a request with the same `Idempotency-Key` is still running.',
    metadata: adminMeta(tag, { idempotent: true }),
  },
  list: {
    method: 'GET',
    path: '/admin/manifests',
    query: PaginationQuery,
    responses: { 200: listOf(Manifest, 'ManifestList') },
    summary: 'List hub capability manifests',
    metadata: adminMeta(tag),
  },
  get: {
    method: 'GET',
    path: '/admin/manifests/:manifestId',
    pathParams: ManifestParams,
    responses: { 200: Manifest },
    summary: 'Get a hub capability manifest',
    metadata: adminMeta(tag),
  },
  update: {
    method: 'PATCH',
    path: '/admin/manifests/:manifestId',
    pathParams: ManifestParams,
    body: extendApi(ManifestInput.partial().strict(), { title: 'UpdateManifestRequest' }),
    responses: { 200: Manifest, 409: Problem },
    summary: 'Update a hub capability manifest',
    description:
      'Narrowing a manifest narrows the keys of every consumer that uses it. 409 when another manifest has the resulting name and version.',
    metadata: adminMeta(tag),
  },
});
