import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, IdempotencyHeaders, listOf, PaginationQuery, Problem, Timestamp, Uuid } from '../../common.js';
import { ScopeSchema } from '../../scopes.js';

/** static: issued by an admin; oauth: an access token from /token; portal: a portal link's credential. */
export const TokenTypeSchema = z.enum(['static', 'oauth', 'portal']);
export type TokenType = z.infer<typeof TokenTypeSchema>;

export const ApiKey = extendApi(
  z.object({
    id: Uuid,
    consumer_id: Uuid,
    name: z.string().nullable(),
    key_prefix: z.string().describe('The 8-hex-character public part of the key, for identification'),
    scopes: z.array(ScopeSchema),
    token_type: TokenTypeSchema,
    expires_at: Timestamp.nullable(),
    revoked_at: Timestamp.nullable(),
    last_used_at: Timestamp.nullable(),
    created_at: Timestamp,
    parent_key_id: Uuid.nullable().describe('For an OAuth access token, or a portal credential a consumer minted: the credential it was issued from'),
    replaced_by_key_id: Uuid.nullable().describe('For a rotated key: the key that replaced it'),
  }),
  {
    title: 'ApiKey',
    example: {
      id: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      name: 'nightly sync',
      key_prefix: '3fa85f64',
      scopes: ['interaction-events:read'],
      token_type: 'static',
      expires_at: null,
      revoked_at: null,
      last_used_at: '2026-11-25T09:59:00.000Z',
      created_at: '2026-11-01T00:00:00.000Z',
      parent_key_id: null,
      replaced_by_key_id: null,
    },
  },
);
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedApiKey = extendApi(
  z.object({
    id: Uuid,
    consumer_id: Uuid,
    name: z.string().nullable(),
    key: z.string().describe('The full key. It is shown this once and cannot be retrieved again.'),
    key_prefix: z.string(),
    scopes: z.array(ScopeSchema),
    token_type: TokenTypeSchema,
    expires_at: Timestamp.nullable(),
    created_at: Timestamp,
  }),
  {
    title: 'CreatedApiKey',
    example: {
      id: '2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      name: 'nightly sync',
      key: 'ihfk_3fa85f64_Vb9nW3o1q0m6ZxJ8u2KcY5tR7eA4sD1fG0hL9pQ3wE2',
      key_prefix: '3fa85f64',
      scopes: ['interaction-events:read'],
      token_type: 'static',
      expires_at: null,
      created_at: '2026-11-25T10:00:00.000Z',
    },
  },
);

const CreateKey = extendApi(
  z
    .object({
      scopes: z.array(ScopeSchema).min(1).max(50),
      expires_at: Timestamp.nullish().describe('When the key stops working; must be in the future'),
      name: z.string().trim().min(1).max(200).nullish(),
    })
    .strict(),
  { title: 'CreateApiKeyRequest', example: { scopes: ['interaction-events:read'], name: 'nightly sync' } },
);

const RotateKey = extendApi(
  z
    .object({
      grace_period_seconds: z
        .number()
        .int()
        .min(0)
        .max(30 * 24 * 3600)
        .default(24 * 3600)
        .describe('How long the old key keeps working after rotation (0 to 30 days; default 24 hours)'),
      expires_at: Timestamp.nullish().describe('Expiry of the new key; by default the old key’s'),
    })
    .strict(),
  { title: 'RotateApiKeyRequest', example: { grace_period_seconds: 3600 } },
);

export const RotatedApiKey = extendApi(
  CreatedApiKey.extend({
    previous_key: ApiKey,
  }),
  { title: 'RotatedApiKey' },
);

const ConsumerParams = z.object({ consumerId: Uuid });
const KeyParams = z.object({ consumerId: Uuid, keyId: Uuid });
const tag = 'Admin: keys';

export const keysContract = c.router({
  create: {
    method: 'POST',
    path: '/admin/consumers/:consumerId/keys',
    pathParams: ConsumerParams,
    body: CreateKey,
    headers: IdempotencyHeaders,
    responses: { 201: CreatedApiKey, 409: Problem },
    summary: 'Issue an API key',
    description:
      'Answers with the full key, which is never shown again. Only its SHA-256 hash is stored; a retry with the same ' +
      '`Idempotency-Key` gets the same answer, kept encrypted for 24 hours. 409 while that first request is still running.',
    metadata: adminMeta(tag, { idempotent: true, answersSecret: true }),
  },
  list: {
    method: 'GET',
    path: '/admin/consumers/:consumerId/keys',
    pathParams: ConsumerParams,
    query: PaginationQuery.extend({ token_type: TokenTypeSchema.optional() }),
    responses: { 200: listOf(ApiKey, 'ApiKeyList') },
    summary: 'List a consumer’s keys (prefixes only)',
    metadata: adminMeta(tag),
  },
  revoke: {
    method: 'POST',
    path: '/admin/consumers/:consumerId/keys/:keyId/revoke',
    pathParams: KeyParams,
    body: c.noBody(),
    responses: { 200: ApiKey },
    summary: 'Revoke an API key',
    description:
      'Takes effect at once on every replica, and revokes every OAuth access token issued from the key. Revoking an already revoked key answers the key unchanged.',
    metadata: adminMeta(tag),
  },
  rotate: {
    method: 'POST',
    path: '/admin/consumers/:consumerId/keys/:keyId/rotate',
    pathParams: KeyParams,
    body: RotateKey,
    headers: IdempotencyHeaders,
    responses: { 201: RotatedApiKey, 409: Problem },
    summary: 'Rotate an API key',
    description:
      'Issues a new key with the same name and scopes (the full key is shown this once) and keeps the old key working for the grace period the admin chooses; 0 ends it at once. Access tokens issued from the old key end no later than it does. ' +
      '409 when the key is not a static key, is revoked or expired, was already rotated, or has no scope left in its hub’s manifest; ' +
      'and while a request with the same `Idempotency-Key` is still running.',
    metadata: adminMeta(tag, { idempotent: true, answersSecret: true }),
  },
});
