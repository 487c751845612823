import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, consumerMeta, IdempotencyHeaders, Problem, Timestamp, Uuid } from '../common.js';
import { PORTAL_SCOPES, ScopeSchema } from '../scopes.js';

/** Bounds of a portal session's lifetime, in seconds. */
export const PORTAL_TTL = { min: 60, max: 86_400, default: 3600 } as const;

const CreatePortalSession = extendApi(
  z
    .object({
      ttl_seconds: z
        .number()
        .int()
        .min(PORTAL_TTL.min)
        .max(PORTAL_TTL.max)
        .default(PORTAL_TTL.default)
        .describe('Lifetime of the link’s credential: 60 s to 24 h (default 1 h)'),
    })
    .strict(),
  { title: 'CreatePortalSessionRequest', example: { ttl_seconds: 3600 } },
);

export const PortalSession = extendApi(
  z.object({
    id: Uuid.describe('The credential’s id: revoke it early with POST /admin/consumers/{consumerId}/keys/{id}/revoke'),
    consumer_id: Uuid,
    url: z
      .string()
      .describe('The portal link. The credential is in the URL fragment (`#token=…`), which browsers never send to a server'),
    key_prefix: z.string().describe('The 8-hex-character public part of the credential, as listed among the consumer’s keys'),
    scopes: z.array(ScopeSchema).describe('`webhooks:manage` and `usage:read`, or fewer when the minting credential has fewer'),
    expires_at: Timestamp,
  }),
  {
    title: 'PortalSession',
    example: {
      id: '9a7b6c5d-4e3f-4a1b-8c9d-0e1f2a3b4c5d',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      url: 'https://api.example.com/portal#token=ihfpt_5d4c3b2a_Vb9nW3o1q0m6ZxJ8u2KcY5tR7eA4sD1fG0hL9pQ3wE2',
      key_prefix: '5d4c3b2a',
      scopes: [...PORTAL_SCOPES],
      expires_at: '2026-11-25T11:00:00.000Z',
    },
  },
);
export type PortalSession = z.infer<typeof PortalSession>;

const tag = 'Portal sessions';
const CREDENTIAL =
  'The link carries a credential of `token_type` `portal` (`ihfpt_…`), stored only as a SHA-256 hash like every key: ' +
  'it acts for this one consumer, with the scopes `webhooks:manage` and `usage:read` and nothing else, until it ' +
  'expires or is revoked (by an admin’s key revocation, by the consumer through POST /api/v2/token/revoke, or by ' +
  'itself through DELETE /api/v2/portal-sessions/current). It cannot mint further portal sessions.';

export const portalSessionsContract = c.router({
  create: {
    method: 'POST',
    path: '/portal-sessions',
    body: CreatePortalSession,
    headers: IdempotencyHeaders,
    responses: { 201: PortalSession, 409: Problem },
    summary: 'Open the webhook portal for your developers',
    description:
      `${CREDENTIAL} Minted with your own credential, it never outlives it (it expires no later, and revoking your ` +
      'credential ends it) and carries only those of the two scopes your credential has. A portal credential ' +
      'calling this route is refused (403).',
    metadata: consumerMeta(tag, ['webhooks:manage'], { idempotent: true, answersSecret: true }),
  },
  revokeCurrent: {
    method: 'DELETE',
    path: '/portal-sessions/current',
    body: c.noBody(),
    responses: { 204: c.noBody() },
    summary: 'Sign out of the portal',
    description: 'Revokes the portal credential making the call, on every replica at once. Any other credential is refused (403).',
    metadata: consumerMeta(tag, []),
  },
});

export const adminPortalSessionsContract = c.router({
  create: {
    method: 'POST',
    path: '/admin/consumers/:consumerId/portal-sessions',
    pathParams: z.object({ consumerId: Uuid }),
    body: CreatePortalSession,
    headers: IdempotencyHeaders,
    responses: { 201: PortalSession, 409: Problem },
    summary: 'Create a portal link for a consumer',
    description: `${CREDENTIAL} 409 when the consumer is deactivated.`,
    metadata: adminMeta(tag, { idempotent: true, answersSecret: true }),
  },
});
