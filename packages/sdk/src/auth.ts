import { send, type TransportConfig } from './transport.js';

/** Supplies the bearer credential for each request. */
export interface CredentialSource {
  bearer(signal?: AbortSignal): Promise<string>;
  /**
   * Called when the API answered 401 to `token`. True when a fresh credential may
   * succeed (the call is then retried once); a static key can never be refreshed.
   */
  invalidate(token: string): boolean;
}

export function staticKey(apiKey: string): CredentialSource {
  return { bearer: async () => apiKey, invalidate: () => false };
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  /** Narrows the token to these scopes (space-separated string or list); the key's scopes by default. */
  scope?: string | readonly string[];
}

interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  scope?: string;
}

interface CachedToken {
  value: string;
  /** When to fetch a new one: ahead of the real expiry, so no request races it. */
  refreshAt: number;
}

export const TOKEN_PATH = '/api/v2/token';

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4): fetches an access token, caches it,
 * refreshes it before it expires, and shares one in-flight fetch between concurrent calls.
 */
export function clientCredentials(
  baseUrl: string,
  credentials: ClientCredentials,
  transport: TransportConfig,
  headers: Record<string, string> = {},
  now: () => number = Date.now,
): CredentialSource {
  let cached: CachedToken | undefined;
  let inflight: Promise<CachedToken> | undefined;

  async function fetchToken(): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    const scope = typeof credentials.scope === 'string' ? credentials.scope : credentials.scope?.join(' ');
    if (scope) form.set('scope', scope);
    const requestedAt = now();
    const response = await send(
      transport,
      {
        method: 'POST',
        url: baseUrl + TOKEN_PATH,
        headers: {
          ...lowerCased(headers),
          authorization: `Basic ${basicCredentials(credentials.clientId, credentials.clientSecret)}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        // A second token issued by a resent request is harmless: nothing else holds it.
        idempotent: true,
        operation: 'token',
      },
    );
    const token = response.body as TokenResponse;
    if (typeof token?.access_token !== 'string' || typeof token.expires_in !== 'number') {
      throw new TypeError('The token endpoint answered without access_token / expires_in');
    }
    const lifetimeMs = token.expires_in * 1000;
    // Refresh with a margin of 10% of the lifetime, at most a minute: a token is never
    // sent so close to expiry that clock skew or latency turns it into a 401.
    const margin = Math.min(60_000, lifetimeMs / 10);
    return { value: token.access_token, refreshAt: requestedAt + lifetimeMs - margin };
  }

  return {
    async bearer(signal) {
      if (cached && now() < cached.refreshAt) return cached.value;
      // The shared fetch is not tied to one caller's signal: one caller giving up must
      // not fail the others waiting on the same token.
      inflight ??= fetchToken().finally(() => {
        inflight = undefined;
      });
      cached = await untilAborted(inflight, signal);
      return cached.value;
    },
    invalidate(token) {
      if (cached?.value === token) cached = undefined;
      return true;
    },
  };
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before being joined and base64-encoded. */
function basicCredentials(id: string, secret: string): string {
  const raw = `${formEncode(id)}:${formEncode(secret)}`;
  return btoa(String.fromCharCode(...new TextEncoder().encode(raw)));
}

function lowerCased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
