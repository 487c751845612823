// What hooks and loggers receive: copies of requests and responses with every credential
// replaced, so a log line or a tracing span never carries a usable key or secret.

export const REDACTED = '[REDACTED]';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

/** Body members whose value is a credential: keys, secrets and tokens in requests (OAuth forms) and responses. */
const SECRET_FIELDS = new Set([
  'key',
  'secret',
  'previous_secret',
  'client_secret',
  'access_token',
  'refresh_token',
  'token',
  'password',
  'api_key',
]);

// The API's credential formats (ihfk_ keys, ihfat_ tokens, the ihfadm_ operator token, other
// ihf…_ credentials, whsec_ webhook secrets), wherever they occur inside a string, e.g. a URL.
const CREDENTIAL = /\b(?:ihf[a-z]{0,8}|whsec)_[A-Za-z0-9_+/=.~-]{8,}/g;

export function redactString(value: string): string {
  return value.replace(CREDENTIAL, REDACTED);
}

/** Header names lower-cased; `Authorization` keeps its scheme (`Bearer [REDACTED]`). */
export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  // Duck-typed: a custom fetch may answer with another implementation's Headers.
  const entries = typeof (headers as Headers).get === 'function' ? [...(headers as Headers).entries()] : Object.entries(headers);
  for (const [rawName, value] of entries) {
    const name = rawName.toLowerCase();
    if (!SECRET_HEADERS.has(name)) out[name] = redactString(value);
    else out[name] = name.endsWith('authorization') && /^\S+ /.test(value) ? `${value.split(' ')[0]} ${REDACTED}` : REDACTED;
  }
  return out;
}

/** A deep copy of a JSON value with credential members and credential-looking strings replaced. */
export function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(value)) {
    out[name] = SECRET_FIELDS.has(name.toLowerCase()) && member !== null && member !== undefined ? REDACTED : redactValue(member);
  }
  return out;
}

/** A request body as sent (JSON text, a form, FormData), as a redacted value. */
export function redactBody(body: string | URLSearchParams | FormData | undefined, contentType: string | undefined): unknown {
  if (body === undefined) return undefined;
  if (body instanceof URLSearchParams) return redactValue(Object.fromEntries(body));
  if (typeof body !== 'string') return '[FormData]';
  if (contentType !== undefined && /[/+]json\b/.test(contentType)) {
    try {
      return redactValue(JSON.parse(body));
    } catch {
      // not JSON after all: redact it as text
    }
  }
  return redactString(body);
}
