import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: LookupFn = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** A target whose every address was checked; connect to `address`, never re-resolve. */
export interface VettedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

export class UnsafeTargetError extends Error {
  constructor(
    message: string,
    readonly reason: 'scheme' | 'credentials' | 'address' | 'dns',
  ) {
    super(message);
  }
}

/** ipaddr.js range names that are public unicast; everything else is refused. */
const PUBLIC_RANGES = new Set(['unicast']);
/**
 * Localhost names (localhost, *.localhost, with or without the root dot) are reserved for
 * loopback whatever a resolver says, and resolvers differ (glibc sends `localhost.` and
 * `a.localhost` to DNS), so they are refused without a lookup.
 */
const LOCALHOST_NAME = /(^|\.)localhost\.?$/i;
/** Global unicast IPv6 is allocated from 2000::/3 only. */
const GLOBAL_UNICAST_V6: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/**
 * Why an address may not be a webhook target, or null when it may. IPv4-mapped and
 * NAT64/6to4/Teredo forms are unwrapped or refused so a disguised private address
 * cannot pass.
 */
export function refusalFor(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return `not an IP address: ${address}`;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return `IPv4-mapped address ${address}`;
    const range = v6.range();
    if (!PUBLIC_RANGES.has(range)) return `${range} address ${address}`;
    // ipaddr.js calls every address it has no name for "unicast", including the deprecated
    // IPv4-compatible ::/96 (WHATWG URL writes [::127.0.0.1] as [::7f00:1]) and the rest of
    // the unallocated space outside 2000::/3, none of which is globally routable.
    if (!v6.match(GLOBAL_UNICAST_V6)) return `non-global IPv6 address ${address}`;
    return null;
  }
  const v4 = parsed as ipaddr.IPv4;
  const range = v4.range();
  if (!PUBLIC_RANGES.has(range)) return `${range} address ${address}`;
  return null;
}

/**
 * Checks a webhook URL and resolves it once. Every resolved address must be public
 * (unless allowPrivate); the caller connects to the returned address so a second DNS
 * answer (rebinding) cannot redirect the request.
 */
export async function vetTarget(
  raw: string,
  opts: { allowPrivate: boolean; lookup?: LookupFn },
): Promise<VettedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeTargetError('target_url is not a URL', 'scheme');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeTargetError('target_url must be http or https', 'scheme');
  }
  if (url.username || url.password) throw new UnsafeTargetError('target_url must not carry credentials', 'credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else if (ipaddr.IPv4.isValid(host)) {
    // Legacy forms (decimal, octal, hex, short dotted) that WHATWG URL did not normalise.
    const v4 = ipaddr.IPv4.parse(host);
    addresses = [{ address: v4.toString(), family: 4 }];
  } else {
    if (!opts.allowPrivate && LOCALHOST_NAME.test(host)) {
      throw new UnsafeTargetError(`target ${host} is refused: a localhost name is loopback`, 'address');
    }
    // The reasons below reach the caller (a 422, the delivery log): for a host name they
    // say neither which address it resolved to nor what the resolver answered, so the
    // refusal cannot be used to map the names and addresses of a private network.
    try {
      addresses = await (opts.lookup ?? systemLookup)(host);
    } catch {
      throw new UnsafeTargetError(`target host ${host} does not resolve`, 'dns');
    }
    if (addresses.length === 0) throw new UnsafeTargetError(`target host ${host} does not resolve`, 'dns');
  }
  if (!opts.allowPrivate) {
    for (const a of addresses) {
      const why = refusalFor(a.address);
      if (!why) continue;
      if (isIP(host) || ipaddr.IPv4.isValid(host)) throw new UnsafeTargetError(`target ${host} is refused: ${why}`, 'address');
      throw new UnsafeTargetError(`target ${host} is refused: it resolves to a non-public address`, 'address');
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
