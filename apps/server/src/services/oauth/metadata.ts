import { SCOPES } from '@ihf/contract';

/** RFC 8414 authorization server metadata, so standard clients find the endpoints. */
export function authorizationServerMetadata(issuer: string) {
  const base = issuer.replace(/\/+$/, '');
  const authMethods = ['client_secret_basic', 'client_secret_post'];
  return {
    issuer: base,
    token_endpoint: `${base}/api/v2/token`,
    introspection_endpoint: `${base}/api/v2/token/introspect`,
    revocation_endpoint: `${base}/api/v2/token/revoke`,
    grant_types_supported: ['client_credentials'],
    // RFC 8414 makes this member required; no authorization endpoint means no response types.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    scopes_supported: [...SCOPES],
    service_documentation: `${base}/docs`,
  };
}
