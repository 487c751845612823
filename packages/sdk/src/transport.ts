import {
  errorFromResponse,
  IhfConnectionError,
  IhfTimeoutError,
  parseRetryAfter,
} from './errors.js';
import { backoffDelay, isRetryableStatus, sleep, type RetryPolicy } from './retry.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportConfig {
  fetch: FetchLike;
  retry: RetryPolicy;
  timeoutMs: number;
  random?: () => number;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Always a replayable body (string, URLSearchParams, FormData) so a retry can resend it. */
  body?: string | URLSearchParams | FormData;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface SendOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  maxRetries?: number;
}

/**
 * Sends one logical request: retries network errors, timeouts, 429 and 5xx with
 * backoff (honouring `Retry-After`), never another 4xx; resolves to a 2xx response
 * or throws the matching IhfError. The caller must have made the request safe to
 * repeat (an Idempotency-Key on POSTs).
 */
export async function send(config: TransportConfig, request: HttpRequest, options: SendOptions = {}): Promise<HttpResponse> {
  const maxRetries = options.maxRetries ?? config.retry.maxRetries;
  for (let attempt = 0; ; attempt++) {
    const retriesLeft = attempt < maxRetries;
    let outcome: HttpResponse | Error;
    try {
      outcome = await attemptOnce(config, request, options);
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      throw error;
    }
    if (outcome instanceof Error) {
      if (!retriesLeft) throw outcome;
      await sleep(backoffDelay(attempt, config.retry, config.random), options.signal);
      continue;
    }
    if (outcome.status >= 200 && outcome.status < 300) return outcome;
    const error = errorFromResponse(outcome.status, outcome.body, outcome.headers);
    const delay = retriesLeft ? retryDelay(config, attempt, outcome) : undefined;
    if (delay === undefined) throw error;
    await sleep(delay, options.signal);
  }
}

function retryDelay(config: TransportConfig, attempt: number, response: HttpResponse): number | undefined {
  if (!isRetryableStatus(response.status)) return undefined;
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  if (retryAfter === undefined) return backoffDelay(attempt, config.retry, config.random);
  return retryAfter <= config.retry.maxRetryAfterMs ? retryAfter : undefined;
}

/** One attempt. Network failures and timeouts come back as values (to retry); an abort by the caller throws. */
async function attemptOnce(config: TransportConfig, request: HttpRequest, options: SendOptions): Promise<HttpResponse | Error> {
  const timeoutMs = options.timeoutMs ?? config.timeoutMs;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = options.signal ? anySignal([options.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await config.fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal,
    });
    return { status: response.status, headers: response.headers, body: await readBody(response) };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.signal.aborted) return new IhfTimeoutError(`Request timed out after ${timeoutMs} ms: ${request.method} ${request.url}`, { cause: error });
    return new IhfConnectionError(`Connection error: ${request.method} ${request.url}: ${describe(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (/[/+]json\b/.test(type)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals);
  // Runtimes without AbortSignal.any (older Safari, Node < 20.3): link the signals by hand.
  const controller = new AbortController();
  for (const s of signals) {
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    s.addEventListener('abort', () => controller.abort(s.reason), { once: true });
  }
  return controller.signal;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
