import type { IncomingHttpHeaders } from 'node:http';
import { LRUCache } from 'lru-cache';
import { Client, Pool, type Dispatcher } from 'undici';
import type { VettedTarget } from './ssrf.js';

export interface SendResult {
  /** HTTP status, or null when no response arrived (connection error, timeout). */
  status: number | null;
  headers: IncomingHttpHeaders;
  /** The first maxBodyBytes of the answer, as text. */
  body: string | null;
  latencyMs: number;
  error: string | null;
}

export interface SendOptions {
  target: VettedTarget;
  headers: Record<string, string>;
  body: string;
  /** Whole-exchange deadline: a receiver that stalls mid-answer is cut off too. */
  timeoutMs: number;
  maxBodyBytes: number;
  agents?: SenderAgents;
}

/**
 * Keep-alive connection pools (undici), one per vetted address, port and TLS name, so
 * repeated deliveries to a receiver reuse their connections. undici's client costs about
 * half of node:http's per request, which is most of the sender's CPU.
 */
export interface SenderAgents {
  poolFor(target: VettedTarget): Dispatcher;
  destroy(): void;
}

/** Where a vetted target's connections go: its vetted address, never a fresh DNS answer. */
function originOf(target: VettedTarget): { origin: string; servername: string | undefined; key: string } {
  const { url } = target;
  const https = url.protocol === 'https:';
  const port = url.port || (https ? '443' : '80');
  const host = target.family === 6 ? `[${target.address}]` : target.address;
  const origin = `${url.protocol}//${host}:${port}`;
  // TLS: SNI and certificate checks against the URL's host name, not the address.
  const servername = https ? url.hostname.replace(/^\[|\]$/g, '') : undefined;
  return { origin, servername, key: `${origin} ${servername ?? ''}` };
}

export function createSenderAgents(maxSockets = 64): SenderAgents {
  const pools = new LRUCache<string, Pool>({
    max: 1000,
    dispose: (pool) => void pool.close().catch(() => {}),
  });
  return {
    poolFor(target) {
      const { origin, servername, key } = originOf(target);
      let pool = pools.get(key);
      if (!pool) {
        pool = new Pool(origin, { connections: maxSockets, ...(servername ? { connect: { servername } } : {}) });
        pools.set(key, pool);
      }
      return pool;
    },
    destroy() {
      for (const pool of pools.values()) void pool.destroy().catch(() => {});
      pools.clear();
    },
  };
}

/**
 * One POST of a webhook. Connects to the vetted address (the URL's host is only used for
 * the Host header and TLS SNI), never follows redirects (undici's request does not), and
 * keeps at most maxBodyBytes of the answer.
 */
export async function sendWebhook(opts: SendOptions): Promise<SendResult> {
  const { target } = opts;
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  let dispatcher = opts.agents?.poolFor(target);
  let oneOff: Client | undefined;
  if (!dispatcher) {
    const { origin, servername } = originOf(target);
    dispatcher = oneOff = new Client(origin, { pipelining: 0, ...(servername ? { connect: { servername } } : {}) });
  }
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), opts.timeoutMs);
  let status: number | null = null;
  let headers: IncomingHttpHeaders = {};
  try {
    const res = await dispatcher.request({
      path: target.url.pathname + target.url.search,
      method: 'POST',
      headers: { ...opts.headers, host: target.url.host, 'user-agent': 'IHF-Webhooks/1' },
      body: opts.body,
      signal: deadline.signal,
    });
    status = res.statusCode;
    headers = res.headers as IncomingHttpHeaders;
    const chunks: Buffer[] = [];
    let kept = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const part = chunk.subarray(0, opts.maxBodyBytes - kept);
      chunks.push(part);
      kept += part.length;
      if (kept >= opts.maxBodyBytes) {
        res.body.destroy(); // the rest is not kept: do not wait for it
        break;
      }
    }
    // PostgreSQL text cannot hold NUL, and a receiver's answer may: every logged body is stored.
    const body = Buffer.concat(chunks).toString('utf8').replaceAll('\0', '\uFFFD');
    return { status, headers, body, latencyMs: latency(), error: null };
  } catch (err) {
    if (deadline.signal.aborted) {
      return { status: null, headers: {}, body: null, latencyMs: latency(), error: `timed out after ${opts.timeoutMs} ms` };
    }
    const e = err as Error & { code?: string; cause?: Error & { code?: string } };
    const message = e.cause?.message && !e.message.includes(e.cause.message) ? `${e.message}: ${e.cause.message}` : e.message;
    return { status, headers, body: null, latencyMs: latency(), error: message || e.code || 'request failed' };
  } finally {
    clearTimeout(timer);
    if (oneOff) void oneOff.destroy().catch(() => {});
  }
}
