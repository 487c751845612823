import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, publicMeta } from '../common.js';
import { TokenTypeSchema } from './admin/keys.js';

const FORM = 'application/x-www-form-urlencoded' as const;
const tag = 'OAuth';

/**
 * A form parameter. A repeated parameter arrives as an array; it is accepted here so the
 * server can answer RFC 6749's `invalid_request` rather than a generic validation error.
 */
const param = (description: string) => z.union([z.string(), z.array(z.string())]).optional().describe(description);

const clientAuthParams = {
  client_id: param('The consumer id, when the client authenticates in the body rather than by HTTP Basic'),
  client_secret: param('One of the consumer’s static API keys, when the client authenticates in the body'),
};

export const TokenRequest = extendApi(
  z
    .object({
      grant_type: param('Must be `client_credentials`'),
      scope: param('Space-separated scopes; narrows the token (never beyond the key’s scopes). Default: all of them'),
      ...clientAuthParams,
    })
    .passthrough(),
  { title: 'TokenRequest', example: { grant_type: 'client_credentials', scope: 'annotations:read' } },
);

export const TokenResponse = extendApi(
  z.object({
    access_token: z.string().describe('Opaque bearer token (`ihfat_…`), stored only as a SHA-256 hash'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Lifetime in seconds'),
    scope: z.string().describe('The scopes the token carries, space-separated'),
  }),
  {
    title: 'TokenResponse',
    example: {
      access_token: 'ihfat_1a2b3c4d_Vb9nW3o1q0m6ZxJ8u2KcY5tR7eA4sD1fG0hL9pQ3wE2',
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'annotations:read',
    },
  },
);

export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
] as const;

export const OAuthError = extendApi(
  z
    .object({
      error: z.enum(OAUTH_ERRORS),
      error_description: z.string(),
      type: z.string(),
      title: z.string(),
      status: z.number().int(),
      detail: z.string(),
      code: z.string(),
      request_id: z.string(),
    })
    .passthrough()
    .describe('RFC 6749 §5.2 error (application/json), which also carries the problem-document members'),
  {
    title: 'OAuthError',
    example: {
      error: 'invalid_scope',
      error_description: 'The requested scope exceeds the key’s scopes: admin',
      type: '/problems/bad-request',
      title: 'Bad request',
      status: 400,
      detail: 'The requested scope exceeds the key’s scopes: admin',
      code: 'bad_request',
      request_id: '5f0c6c1e-2a8b-4c52-9d38-3f3c2b1f6a90',
    },
  },
);

const TokenParam = {
  token: param('The token to introspect or revoke'),
  token_type_hint: param('`access_token` or `refresh_token`; a hint only'),
};

export const IntrospectionResponse = extendApi(
  z.object({
    active: z.boolean(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    token_type: z.literal('Bearer').optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    sub: z.string().optional(),
    iss: z.string().optional(),
    credential_type: TokenTypeSchema.optional().describe('Whether the token is an access token, a static key or a portal credential'),
  }),
  {
    title: 'IntrospectionResponse',
    example: {
      active: true,
      scope: 'annotations:read',
      client_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      token_type: 'Bearer',
      exp: 1795600000,
      iat: 1795596400,
      sub: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      credential_type: 'oauth',
    },
  },
);

const oauthErrors = { 400: OAuthError, 401: OAuthError };

export const tokenContract = c.router({
  issue: {
    method: 'POST',
    path: '/token',
    contentType: FORM,
    body: TokenRequest,
    responses: { 200: TokenResponse, ...oauthErrors },
    summary: 'Get an access token (OAuth 2.0 client credentials)',
    description:
      'RFC 6749 §4.4. Authenticate with HTTP Basic (client_id = consumer id, client_secret = one of its static keys) or with `client_id`/`client_secret` in the body, not both. Errors follow RFC 6749 §5.2. Responses carry `Cache-Control: no-store`.',
    metadata: publicMeta(tag),
  },
  introspect: {
    method: 'POST',
    path: '/token/introspect',
    contentType: FORM,
    body: extendApi(z.object({ ...TokenParam, ...clientAuthParams }).passthrough(), { title: 'IntrospectionRequest' }),
    responses: { 200: IntrospectionResponse, ...oauthErrors },
    summary: 'Introspect a token (RFC 7662)',
    description:
      'The client authenticates as for the token endpoint and may introspect its own credentials only; anything else is `{"active": false}`.',
    metadata: publicMeta(tag),
  },
  revoke: {
    method: 'POST',
    path: '/token/revoke',
    contentType: FORM,
    body: extendApi(z.object({ ...TokenParam, ...clientAuthParams }).passthrough(), { title: 'RevocationRequest' }),
    responses: { 200: z.object({}).describe('Empty: the token is revoked, or was never valid for this client'), ...oauthErrors },
    summary: 'Revoke an access token (RFC 7009)',
    description:
      'The client authenticates as for the token endpoint and revokes one of its own access tokens or portal credentials. Revocation is effective at once on every replica. An unknown token answers 200 too, as RFC 7009 requires.',
    metadata: publicMeta(tag),
  },
});
