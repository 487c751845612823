import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { urlToHttpOptions } from 'node:url';
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

export interface SenderAgents {
  http: HttpAgent;
  https: HttpsAgent;
  destroy(): void;
}

/** Keep-alive agents, one pair per worker, so repeated deliveries reuse connections. */
export function createSenderAgents(maxSockets = 64): SenderAgents {
  const http = new HttpAgent({ keepAlive: true, maxSockets });
  const https = new HttpsAgent({ keepAlive: true, maxSockets });
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

type BaseOptions = Omit<RequestOptions, 'agent' | 'headers'> & { isHttps: boolean };

/** The request options of a vetted target, built once per target object (the engine reuses them). */
const baseOptionsOf = new WeakMap<VettedTarget, BaseOptions>();
function baseOptions(target: VettedTarget): BaseOptions {
  let base = baseOptionsOf.get(target);
  if (base) return base;
  const isHttps = target.url.protocol === 'https:';
  // Pin the connection to the address that was vetted, whatever DNS says now.
  const pinned: LookupFunction = (_host, options, cb) => {
    if ((options as { all?: boolean }).all) {
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      cb(null, target.address, target.family);
    }
  };
  base = {
    ...urlToHttpOptions(target.url),
    method: 'POST',
    lookup: pinned,
    ...(isHttps ? { servername: target.url.hostname.replace(/^\[|\]$/g, '') } : {}),
    isHttps,
  };
  baseOptionsOf.set(target, base);
  return base;
}

/**
 * One POST of a webhook. Connects to the vetted address (the hostname is only used for
 * the Host header and TLS SNI), never follows redirects (node:http does not), and keeps
 * at most maxBodyBytes of the answer.
 */
export function sendWebhook(opts: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const { isHttps, ...base } = baseOptions(opts.target);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: Omit<SendResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, latencyMs: Math.round(performance.now() - started) });
    };
    const headers = { ...opts.headers, 'content-length': String(Buffer.byteLength(opts.body)), 'user-agent': 'IHF-Webhooks/1' };
    const req = (isHttps ? httpsRequest : httpRequest)(
      { ...base, headers, agent: opts.agents ? (isHttps ? opts.agents.https : opts.agents.http) : false },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < opts.maxBodyBytes) {
            const part = chunk.subarray(0, opts.maxBodyBytes - kept);
            chunks.push(part);
            kept += part.length;
          }
        });
        res.on('end', () =>
          finish({ status: res.statusCode ?? null, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), error: null }),
        );
        res.on('error', (err) =>
          finish({ status: res.statusCode ?? null, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), error: err.message }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, headers: {}, body: null, error: `timed out after ${opts.timeoutMs} ms` });
      req.destroy(new Error('timeout'));
    }, opts.timeoutMs);
    req.on('error', (err) => finish({ status: null, headers: {}, body: null, error: err.message }));
    req.end(opts.body);
  });
}
