import { parseList, Token, type BareItem, type List } from 'structured-headers';

/** One quota policy of the caller, from the `RateLimit` and `RateLimit-Policy` response headers. */
export interface RateLimitPolicy {
  /** The policy's name, e.g. `burst`, `minute` or `day`. */
  name: string;
  /** Requests left in the current window (`r`). */
  remaining: number;
  /** Seconds until the window resets (`t`). */
  resetSeconds: number;
  /** Requests allowed per window (`q` of `RateLimit-Policy`), when the server sent it. */
  quota?: number;
  /** The window's length in seconds (`w` of `RateLimit-Policy`), when the server sent it. */
  windowSeconds?: number;
}

export interface RateLimit {
  /** Every policy the response reported, in the server's order. */
  policies: RateLimitPolicy[];
  /** The policy with the fewest requests left: the next refusal comes from it. */
  limiting: RateLimitPolicy;
}

/**
 * Parses `RateLimit` / `RateLimit-Policy` (draft-ietf-httpapi-ratelimit-headers: Structured
 * Field Lists, RFC 9651, of policy names with `r`/`t` and `q`/`w` parameters). Undefined
 * when the response has no `RateLimit` or it does not parse: it is information, never a
 * reason to fail a call.
 */
export function parseRateLimit(headers: Pick<Headers, 'get'>): RateLimit | undefined {
  const state = headers.get('ratelimit');
  if (!state) return undefined;
  const declared = new Map<string, { quota?: number; windowSeconds?: number }>();
  for (const [name, params] of members(headers.get('ratelimit-policy'))) {
    declared.set(name, { quota: integer(params.get('q')), windowSeconds: integer(params.get('w')) });
  }
  const policies: RateLimitPolicy[] = [];
  for (const [name, params] of members(state)) {
    const remaining = integer(params.get('r'));
    if (remaining === undefined) continue;
    policies.push({ name, remaining, resetSeconds: integer(params.get('t')) ?? 0, ...declared.get(name) });
  }
  if (policies.length === 0) return undefined;
  const limiting = policies.reduce((a, b) => (b.remaining < a.remaining ? b : a));
  return { policies, limiting };
}

/** The (name, parameters) of each Item member of a List; an unparsable field has none. */
function members(field: string | null): [string, Map<string, BareItem>][] {
  if (!field) return [];
  let list: List;
  try {
    list = parseList(field);
  } catch {
    return [];
  }
  const out: [string, Map<string, BareItem>][] = [];
  for (const [value, params] of list) {
    // A policy name is an sf-string (or a token in older drafts); inner lists are not policies.
    if (typeof value === 'string' || value instanceof Token) out.push([value.toString(), params]);
  }
  return out;
}

function integer(value: BareItem | undefined): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
