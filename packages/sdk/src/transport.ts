import {
  errorFromResponse,
  IhfApiError,
  IhfConnectionError,
  IhfTimeoutError,
  parseRetryAfter,
  type IhfError,
} from './errors.js';
import { createObserver, type Observer } from './observe.js';
import { backoffDelay, failureKind, sleep, type RetryPolicy } from './retry.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface TransportConfig {
  fetch: FetchLike;
  retry: RetryPolicy;
  timeoutMs: number;
  observer?: Observer;
  random?: () => number;
}

export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Always a replayable body (string, URLSearchParams, FormData) so a retry can resend it. */
  body?: string | URLSearchParams | FormData;
  /**
   * Doing it twice does no harm, so it may be resent after an attempt that may have been
   * applied (network error, timeout, 5xx). A POST is only if its route honours Idempotency-Key.
   */
  idempotent: boolean;
  /** The client method, for hooks and logs (`admin.consumers.create`). */
  operation: string;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, else the text; undefined when empty. */
  body: unknown;
  /** The body as received. */
  text: string;
}

export interface SendOptions {
  signal?: AbortSignal;
  /** Per attempt. */
  timeoutMs?: number;
  maxRetries?: number;
  /** Epoch ms past which no attempt starts and none runs on: one budget across every retry and wait. */
  deadline?: number;
}

const noObserver = createObserver();

/**
 * Sends one logical request and resolves to a 2xx response or throws the matching
 * IhfError. Resends, with backoff (honouring `Retry-After`): a 429 always; a network
 * error, timeout or 5xx only when `request.idempotent`; a 409 `idempotency_in_progress`
 * (same key) for up to `maxInProgressWaitMs`, outside the `maxRetries` budget; never
 * another 4xx; never past `options.deadline`.
 */
export async function send(config: TransportConfig, request: HttpRequest, options: SendOptions = {}): Promise<HttpResponse> {
  const observer = config.observer ?? noObserver;
  let attempt = 0;
  try {
    return await attempts(config, observer, request, options, () => ++attempt);
  } catch (error) {
    if (!options.signal?.aborted) observer.failed({ operation: request.operation, method: request.method, url: request.url, attempt }, error);
    throw error;
  }
}

async function attempts(config: TransportConfig, observer: Observer, request: HttpRequest, options: SendOptions, next: () => number): Promise<HttpResponse> {
  const maxRetries = options.maxRetries ?? config.retry.maxRetries;
  const remaining = () => (options.deadline === undefined ? Infinity : options.deadline - Date.now());
  let retries = 0;
  let inProgressWaits = 0;
  let inProgressSince: number | undefined;
  let mayHaveBeenApplied = false;
  for (;;) {
    const base = { operation: request.operation, method: request.method, url: request.url, attempt: next() };
    if (remaining() <= 0) throw new IhfTimeoutError(`Deadline passed before ${request.method} ${request.url} could be sent`);
    observer.request(base, request.headers, request.body);
    const started = performance.now();
    const outcome = await attemptOnce(config, request, options, remaining());
    const response = outcome instanceof Error ? undefined : outcome;
    const ok = response !== undefined && response.status >= 200 && response.status < 300;
    const error: IhfError | undefined = ok ? undefined : response ? errorFromResponse(response.status, response.body, response.headers) : (outcome as IhfError);
    observer.response(base, response && { ...response, requestId: response.headers.get('x-request-id') ?? undefined }, performance.now() - started, error);
    if (ok) return response;
    // An earlier attempt that failed ambiguously may have done the deletion: this 404 is its success.
    if (response?.status === 404 && request.method === 'DELETE' && mayHaveBeenApplied) {
      return { status: 204, headers: response.headers, body: undefined, text: '' };
    }
    const kind = failureKind(response?.status, error instanceof IhfApiError ? error.code : undefined);
    let delay: number | undefined;
    // Waiting is for the answer of the first request with this key; with no key there is none.
    if (kind === 'in_progress' && response && request.headers['idempotency-key'] !== undefined) {
      inProgressSince ??= Date.now();
      delay = serverDelay(config, inProgressWaits++, response);
      if (delay === undefined || Date.now() + delay - inProgressSince > config.retry.maxInProgressWaitMs) throw error;
    } else {
      const resendable = kind === 'refused' || (kind === 'ambiguous' && request.idempotent);
      if (!resendable || retries >= maxRetries) throw error;
      delay = response ? serverDelay(config, retries, response) : backoffDelay(retries, config.retry, config.random);
      if (delay === undefined) throw error;
      retries++;
      if (kind === 'ambiguous') mayHaveBeenApplied = true;
    }
    // A wait (backoff or Retry-After) that would end at or past the deadline is not started:
    // the retry could not run, so the failure in hand is the answer.
    if (delay >= remaining()) throw error;
    observer.retry({ ...base, attempt: base.attempt + 1 }, delay, error!);
    await sleep(delay, options.signal);
  }
}

/** The server's `Retry-After` if it gave one (undefined when longer than we wait for), else backoff. */
function serverDelay(config: TransportConfig, retry: number, response: HttpResponse): number | undefined {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now());
  if (retryAfter === undefined) return backoffDelay(retry, config.retry, config.random);
  return retryAfter <= config.retry.maxRetryAfterMs ? retryAfter : undefined;
}

/**
 * One attempt, limited by the per-attempt timeout and by what is left of the deadline.
 * Network failures and timeouts come back as values (to retry); an abort by the caller throws.
 */
async function attemptOnce(config: TransportConfig, request: HttpRequest, options: SendOptions, remainingMs: number): Promise<HttpResponse | IhfError> {
  const perAttempt = options.timeoutMs ?? config.timeoutMs;
  const timeoutMs = Math.min(perAttempt, remainingMs);
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
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: parseBody(text, response.headers), text };
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.signal.aborted) {
      const why = timeoutMs < perAttempt ? `the call's deadline (totalTimeoutMs) passed after ${Math.round(timeoutMs)} ms` : `timed out after ${timeoutMs} ms`;
      return new IhfTimeoutError(`Request ${why}: ${request.method} ${request.url}`, { cause: error });
    }
    return new IhfConnectionError(`Connection error: ${request.method} ${request.url}: ${describe(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

function parseBody(text: string, headers: Headers): unknown {
  if (text === '') return undefined;
  if (/[/+]json\b/.test(headers.get('content-type') ?? '')) {
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
