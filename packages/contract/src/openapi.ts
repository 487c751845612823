import { generateOpenApi } from '@ts-rest/open-api';
import type { OAuthFlowObject, OpenAPIObject, SecurityRequirementObject, SecuritySchemeObject } from 'openapi3-ts/oas30';
import { API_PREFIX, contract } from './index.js';
import type { RouteMetadata } from './common.js';
import { SCOPES } from './scopes.js';
import { addWebhookPayloads } from './webhooks/openapi-webhooks.js';

const RESPONSE_DESCRIPTIONS: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '204': 'No content',
  '400': 'Bad request: malformed JSON or query',
  '401': 'Missing, unknown, expired or revoked credential',
  '403': 'The credential lacks a required scope',
  '404': 'No such resource',
  '409': 'Conflict',
  '413': 'Request body over 1 MiB',
  '415': 'Request body is not of the expected media type',
  '422': 'Validation failed; each failing field is listed',
  '429': 'Rate limit, burst limit or daily quota exceeded',
  '500': 'Internal error',
  '503': 'Temporarily unavailable (the database is unreachable); retry after Retry-After seconds',
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  Me: 'The calling consumer',
  'Interaction events': 'High-volume interaction records (viewed, clicked, …), one at a time or 1,000 per batch',
  Annotations: 'Free-text notes on interactions',
  'Requirement candidates': 'Requirements proposed from annotations, reviewed before acceptance',
  'Decision records': 'Decisions taken on requirement candidates',
  'Deployment records': 'Deployments that carry out decisions',
  'Outcome signals': 'Measured outcomes of deployments',
  Webhooks: 'Subscriptions to record events, signed per Standard Webhooks v1; the catalog of event types',
  'Admin: interaction types': 'Operator additions to the registry of interaction event types',
  'Admin: consumers': 'Operator management of API consumers and their limits',
  'Admin: keys': 'Operator management of consumers’ API keys',
  'Admin: manifests': 'Hub capability manifests that bound what a domain hub may do',
  OAuth: 'OAuth 2.0 client credentials (RFC 6749 §4.4), token introspection (RFC 7662) and revocation (RFC 7009); metadata at /.well-known/oauth-authorization-server (RFC 8414)',
  'Admin: trust': 'Auto-approve rules and the review queue for requirement candidates and quarantined records',
  Usage: 'Your own usage, from the request log',
  'Admin: usage': 'Usage across consumers, the request log, and billing-period usage per key',
  'Portal sessions': 'Short-lived links into the consumer portal, where a consumer’s developers manage its webhooks and see its usage',
  'Admin: webhooks': 'Webhook delivery attempts across subscriptions: failures, latency, the state of every endpoint',
};

function camelCaseOperationId(id: string): string {
  return id.replace(/[.\-_]+(\w)/g, (_, ch: string) => ch.toUpperCase());
}

const TOKEN_PATH = `${API_PREFIX}/token`;
/** RFC 6749 §2.3.1 client authentication, as the RFC 8414 metadata lists it for the token endpoints. */
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/** Who may call the operation: the token endpoints authenticate the OAuth client, the rest a bearer credential. */
function securityOf(meta: RouteMetadata, path: string): { security: SecurityRequirementObject[] } & Record<`x-${string}`, string[]> {
  if (path === TOKEN_PATH || path.startsWith(`${TOKEN_PATH}/`)) {
    // client_secret_post puts the credentials in the form body, which no OpenAPI 3.0 scheme can
    // describe: it is the empty alternative, with `client_id` and `client_secret` in the body schema.
    return { security: [{ clientSecretBasic: [] }, {}], 'x-client-authentication': CLIENT_AUTH_METHODS };
  }
  if (meta.auth.kind === 'public') return { security: [] };
  const scopes = meta.auth.kind === 'admin' ? ['admin'] : [...meta.auth.scopes];
  return {
    security: [{ bearerAuth: [] }, { oauth2: scopes }],
    ...(scopes.length > 0 ? { 'x-required-scopes': scopes } : {}),
  };
}

const header = (description: string, schema: Record<string, unknown> = { type: 'string' }, required = true) => ({ required, description, schema });
const RATE_LIMIT = 'What is left of each limit and when it resets (draft-ietf-httpapi-ratelimit-headers)';
const RATE_LIMIT_POLICY = 'The limits that apply to the caller: burst, per minute, per day';
/** Response headers, declared once in components.headers and referenced from each response. */
const HEADERS = {
  RequestId: header('The request id, also in the log and in problem documents'),
  WwwAuthenticate: header('The authentication challenge (RFC 6750, or Basic on the token endpoints)'),
  RetryAfter: header('Seconds to wait before retrying', { type: 'integer', minimum: 0 }),
  RateLimit: header(RATE_LIMIT),
  RateLimitPolicy: header(RATE_LIMIT_POLICY),
  // A 403 may refuse the operator token, which has no limits.
  RateLimitIfConsumer: header(`${RATE_LIMIT}; present when a consumer was refused`, undefined, false),
  RateLimitPolicyIfConsumer: header(`${RATE_LIMIT_POLICY}; present when a consumer was refused`, undefined, false),
  NoStore: header('`no-store`: token answers are never cached (RFC 6749 §5.1)'),
};
const ref = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/**
 * The headers an answer carries: its request id always; a challenge on 401; Retry-After on 429
 * and 503; the caller's limits once a consumer is authenticated (not on 401, nor when the
 * database is away or the server failed); no-store on the token endpoints' own answers.
 */
function headersOf(meta: RouteMetadata, path: string, status: string): Record<string, unknown> {
  const code = Number(status);
  const oauth = path === TOKEN_PATH || path.startsWith(`${TOKEN_PATH}/`);
  const consumer = meta.auth.kind === 'consumer';
  return {
    'X-Request-Id': ref('RequestId'),
    ...(code === 401 ? { 'WWW-Authenticate': ref('WwwAuthenticate') } : {}),
    ...(code === 429 || code === 503 ? { 'Retry-After': ref('RetryAfter') } : {}),
    ...(consumer && ![401, 403, 500, 503].includes(code) ? { RateLimit: ref('RateLimit'), 'RateLimit-Policy': ref('RateLimitPolicy') } : {}),
    ...(consumer && code === 403 ? { RateLimit: ref('RateLimitIfConsumer'), 'RateLimit-Policy': ref('RateLimitPolicyIfConsumer') } : {}),
    ...(oauth && [200, 400, 401].includes(code) ? { 'Cache-Control': ref('NoStore') } : {}),
  };
}

type OperationMapper = NonNullable<NonNullable<Parameters<typeof generateOpenApi>[2]>['operationMapper']>;
type ResponseLike = { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> };

const mapOperation: OperationMapper = (operation, route) => {
  const meta = route.metadata as RouteMetadata;
  const responses = operation.responses as Record<string, ResponseLike>;
  for (const [status, response] of Object.entries(responses)) {
    response.description = RESPONSE_DESCRIPTIONS[status] ?? response.description;
    response.headers = headersOf(meta, route.path, status);
    const json = response.content?.['application/json'];
    // OAuth endpoints answer their 400/401 as application/json, as RFC 6749 §5.2 requires.
    const oauthError = meta.tag === 'OAuth' && (status === '400' || status === '401');
    if (json && Number(status) >= 400 && !oauthError) {
      response.content = { 'application/problem+json': json };
    }
  }
  return {
    ...operation,
    operationId: camelCaseOperationId(operation.operationId ?? ''),
    tags: [meta.tag],
    ...securityOf(meta, route.path),
  };
};

/** The OpenAPI 3.0 document for the whole contract: the committed openapi/openapi.json. */
export function buildOpenApiDocument(): OpenAPIObject {
  const doc = generateOpenApi(
    contract,
    {
      info: {
        title: 'IHF External API',
        version: '3.0.0',
        description:
          'The /api/v2 surface through which third-party systems and domain hubs read and write IHF records ' +
          'and receive signed webhooks about them. Every error is an RFC 9457 problem document.',
        // Proprietary, as package.json says; no licence text is published, so no URL.
        license: { name: 'UNLICENSED' },
      },
      // Relative: the server that serves this document. GET /openapi.json names its own origin.
      servers: [{ url: '/', description: 'The server this document was fetched from' }],
      tags: Object.entries(TAG_DESCRIPTIONS).map(([name, description]) => ({ name, description })),
    },
    { setOperationId: 'concatenated-path', operationMapper: mapOperation },
  ) as OpenAPIObject;
  doc.openapi = '3.0.3';
  doc.components = {
    ...doc.components,
    headers: HEADERS,
    securitySchemes: {
      bearerAuth: {
        type: 'http',
        scheme: 'bearer',
        description:
          'An API key (`ihfk_…`), an OAuth access token from /api/v2/token (`ihfat_…`), a portal credential (`ihfpt_…`), or, for /admin routes, the operator token.',
      },
      oauth2: {
        type: 'oauth2',
        description:
          'An access token from the client credentials grant (RFC 6749 §4.4), sent as a bearer token. The client ' +
          'authenticates at the token endpoint with `client_secret_basic` or `client_secret_post`.',
        flows: {
          clientCredentials: {
            tokenUrl: TOKEN_PATH,
            scopes: Object.fromEntries(SCOPES.map((s) => [s, s === 'admin' ? 'Every /admin route' : `The ${s} scope`])),
          },
        },
      },
      clientSecretBasic: {
        type: 'http',
        scheme: 'basic',
        description:
          '`client_secret_basic` (RFC 6749 §2.3.1), on the token endpoints: the consumer id as user name, one of its ' +
          'static API keys as password. Or `client_secret_post`: `client_id` and `client_secret` in the form body instead.',
      },
    },
  };
  addWebhookPayloads(doc);
  doc.security = [{ bearerAuth: [] }];
  return doc;
}

/**
 * The document as served from `baseUrl` (PUBLIC_BASE_URL, or the request's own origin): that
 * server first, and the token URL absolute, so "Try it out" and "Authorize" call it.
 */
export function documentServedFrom(doc: OpenAPIObject, baseUrl: string): OpenAPIObject {
  const base = baseUrl.replace(/\/+$/, '');
  const schemes = doc.components?.securitySchemes ?? {};
  const oauth2 = schemes.oauth2 as SecuritySchemeObject | undefined;
  const flow = oauth2?.flows?.clientCredentials as OAuthFlowObject | undefined;
  return {
    ...doc,
    servers: [{ url: base, description: 'This server' }],
    components: {
      ...doc.components,
      securitySchemes: {
        ...schemes,
        ...(oauth2 && flow && { oauth2: { ...oauth2, flows: { clientCredentials: { ...flow, tokenUrl: base + TOKEN_PATH } } } }),
      },
    },
  };
}
