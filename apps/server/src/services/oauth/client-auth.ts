import { oauthError } from './errors.js';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: 'client_secret_basic' | 'client_secret_post';
}

type FormValue = string | string[] | undefined;

/** A single-valued form parameter; RFC 6749 §3.1 forbids repeating one. */
export function single(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name] as FormValue;
  if (Array.isArray(value)) throw oauthError('invalid_request', `The parameter ${name} is repeated.`);
  if (value !== undefined && typeof value !== 'string') throw oauthError('invalid_request', `The parameter ${name} is malformed.`);
  return value === '' ? undefined : value;
}

/** application/x-www-form-urlencoded decoding, which RFC 6749 §2.3.1 applies inside Basic. */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '));
  } catch {
    throw oauthError('invalid_client', 'The Basic credentials are not correctly encoded.');
  }
}

/**
 * The client's credentials from HTTP Basic or from the body (RFC 6749 §2.3.1). Using
 * both at once is an `invalid_request`; using neither, an `invalid_client`.
 */
export function readClientCredentials(authorization: string | undefined, body: Record<string, unknown>): ClientCredentials {
  const bodyId = single(body, 'client_id');
  const bodySecret = single(body, 'client_secret');
  const basic = authorization ? /^Basic +([A-Za-z0-9+/=_-]+) *$/i.exec(authorization) : null;
  if (authorization && /^Basic\b/i.test(authorization) && !basic) {
    throw oauthError('invalid_client', 'The Basic credentials are malformed.');
  }
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw oauthError('invalid_client', 'The Basic credentials are malformed.');
    const clientId = formDecode(decoded.slice(0, colon));
    // Some clients repeat client_id in the body beside Basic; that is not a second
    // authentication. A secret in the body, or a different id, is.
    if (bodySecret !== undefined || (bodyId !== undefined && bodyId !== clientId)) {
      throw oauthError('invalid_request', 'Authenticate the client by HTTP Basic or by body parameters, not both.');
    }
    return { clientId, clientSecret: formDecode(decoded.slice(colon + 1)), method: 'client_secret_basic' };
  }
  if (bodyId === undefined || bodySecret === undefined) {
    throw oauthError('invalid_client', 'Client authentication is required: HTTP Basic, or client_id and client_secret in the body.');
  }
  return { clientId: bodyId, clientSecret: bodySecret, method: 'client_secret_post' };
}
