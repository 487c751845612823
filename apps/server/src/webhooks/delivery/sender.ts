import type { IncomingHttpHeaders } from 'node:http';
import { LRUCache } from 'lru-cache';
import { Client, Pool, type Dispatcher } from 'undici';
import type { VettedTarget } from './ssrf.js';

const USER_AGENT = 'IHF-Webhooks/1';

export interface SendResult {
  /** HTTP status, or null when no response arrived (connection error, timeout). */
  status: number | null;
  headers: IncomingHttpHeaders;
  /** The first maxBodyBytes of the answer, as text. */
  body: string | null;
  latencyMs: number;
  error: string | null;
  /** No answer within the deadline (timeoutMs). */
  timedOut?: true;
}

export interface SendOptions {
  target: VettedTarget;
  /** The request's headers; Host and User-Agent are added to this object. */
  headers: Record<string, string>;
  body: string;
  /** Whole-exchange deadline: a receiver that stalls mid-answer is cut off too. */
  timeoutMs: number;
  maxBodyBytes: number;
  agents?: SenderAgents;
}

/**
 * Keep-alive connection pools (undici), one per vetted address, port and TLS name, so
 * repeated deliveries to a receiver reuse their connections. undici rather than node:http:
 * the HTTP client is most of the sender's CPU, and undici's costs less per request.
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
 * One exchange of sendWebhook: collects the answer straight from undici's dispatch
 * callbacks and settles `done` once (answer complete, error, or deadline). Not `request()`:
 * it wraps every answer in a Readable, an async iterator and an AbortSignal, for an answer
 * of which only the status, Retry-After and a few KB are kept. One object per request with
 * its methods on the prototype, no closures: this runs once per delivery.
 */
class Exchange implements Dispatcher.DispatchHandler {
  status: number | null = null;
  headers: IncomingHttpHeaders = {};
  readonly done: Promise<Error | null>;
  private resolve!: (error: Error | null) => void;
  private settled = false;
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  private controller: Dispatcher.DispatchController | null = null;
  private abortReason: Error | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly maxBodyBytes: number,
    timeoutMs: number,
  ) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
    this.timer = setTimeout(deadlinePassed, timeoutMs, this, timeoutMs);
  }

  settle(error: Error | null): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.timer);
    this.resolve(error);
  }

  /** Ends the exchange now (deadline): before it started, as soon as it starts. */
  abort(reason: Error): void {
    this.abortReason = reason;
    this.controller?.abort(reason);
  }

  get body(): string {
    // PostgreSQL text cannot hold NUL, and a receiver's answer may: every logged body is stored.
    return Buffer.concat(this.chunks).toString('utf8').replaceAll('\0', '\uFFFD');
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the final answer is still to come
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const part = chunk.subarray(0, this.maxBodyBytes - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
    // The rest is not kept: stop reading it (the connection is closed, not reused).
    if (this.kept >= this.maxBodyBytes) {
      controller.abort(new BodyCapReached());
      this.settle(null);
    }
  }

  onResponseEnd(): void {
    this.settle(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle(error instanceof BodyCapReached ? null : error);
  }
}

function deadlinePassed(exchange: Exchange, timeoutMs: number): void {
  const reason = new DeadlinePassed(`timed out after ${timeoutMs} ms`);
  exchange.abort(reason);
  exchange.settle(reason);
}

class BodyCapReached extends Error {}
class DeadlinePassed extends Error {}

/**
 * One POST of a webhook. Connects to the vetted address (the URL's host is only used for
 * the Host header and TLS SNI), never follows redirects (undici's dispatch does not), and
 * keeps at most maxBodyBytes of the answer.
 */
export async function sendWebhook(opts: SendOptions): Promise<SendResult> {
  const { target } = opts;
  const started = performance.now();
  let dispatcher = opts.agents?.poolFor(target);
  let oneOff: Client | undefined;
  if (!dispatcher) {
    const { origin, servername } = originOf(target);
    dispatcher = oneOff = new Client(origin, { pipelining: 0, ...(servername ? { connect: { servername } } : {}) });
  }
  const exchange = new Exchange(opts.maxBodyBytes, opts.timeoutMs);
  opts.headers.host = target.url.host;
  opts.headers['user-agent'] = USER_AGENT;
  dispatcher.dispatch({ path: target.url.pathname + target.url.search, method: 'POST', headers: opts.headers, body: opts.body }, exchange);
  const error = await exchange.done;
  if (oneOff) void oneOff.destroy().catch(() => {});
  const latencyMs = Math.round(performance.now() - started);
  if (error instanceof DeadlinePassed) return { status: null, headers: {}, body: null, latencyMs, error: error.message, timedOut: true };
  if (error) {
    const e = error as Error & { code?: string; cause?: Error & { code?: string } };
    const message = e.cause?.message && !e.message.includes(e.cause.message) ? `${e.message}: ${e.cause.message}` : e.message;
    return { status: exchange.status, headers: exchange.headers, body: null, latencyMs, error: message || e.code || 'request failed' };
  }
  return { status: exchange.status, headers: exchange.headers, body: exchange.body, latencyMs, error: null };
}
