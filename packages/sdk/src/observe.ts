import type { IhfError } from './errors.js';
import { redactBody, redactHeaders, redactString, redactValue } from './redact.js';

/** Any `console`-shaped logger: `console`, pino/winston adapters, … */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/**
 * `debug`: every attempt and its answer, with headers and bodies (credentials redacted);
 * `info`: retries; `warn`: calls that fail; `error`: hooks that throw. `off`: nothing.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

interface EventBase {
  /** The client method, e.g. `admin.consumers.create`; `token` for the client's own OAuth token requests. */
  operation: string;
  method: string;
  /** With any credential-looking part redacted. */
  url: string;
  /** 1 for the first attempt of a call, 2 for its first retry, … */
  attempt: number;
}

export interface RequestEvent extends EventBase {
  /** Lower-cased names; `authorization` and other credentials redacted. */
  headers: Record<string, string>;
  /** The body as sent (parsed JSON or form fields), credentials redacted; undefined when none. */
  body: unknown;
}

export interface ResponseEvent extends EventBase {
  /** Undefined when no response came (network error, timeout). */
  status: number | undefined;
  headers: Record<string, string> | undefined;
  /** The parsed body, credentials (`key`, `secret`, `access_token`, …) redacted. Computed when read. */
  body: unknown;
  requestId: string | undefined;
  durationMs: number;
  /**
   * What this attempt amounts to when it failed: an IhfApiError for an error status, or a
   * connection / timeout error. The error object itself, as a caller would get it: not redacted.
   */
  error: IhfError | undefined;
}

export interface RetryEvent extends EventBase {
  /** How long the client waits before sending attempt `attempt`. */
  delayMs: number;
  /** The failure of the previous attempt that is being retried (the error object itself, not redacted). */
  error: IhfError;
}

/**
 * Observers of the traffic; they see copies with credentials redacted and cannot change a
 * call. One that throws does not change the call's outcome either (the logger is told, at `error`).
 */
export interface Hooks {
  onRequest?: (event: RequestEvent) => void;
  onResponse?: (event: ResponseEvent) => void;
  onRetry?: (event: RetryEvent) => void;
}

/** What the transport reports to; built once per client. */
export interface Observer {
  request(base: EventBase, headers: Record<string, string>, body: string | URLSearchParams | FormData | undefined): void;
  response(
    base: EventBase,
    answer: { status: number; headers: Headers; body: unknown; requestId: string | undefined } | undefined,
    durationMs: number,
    error: IhfError | undefined,
  ): void;
  retry(base: EventBase, delayMs: number, error: IhfError): void;
  failed(base: EventBase, error: unknown): void;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

export function createObserver(hooks: Hooks = {}, logger?: Logger, level: LogLevel = 'warn'): Observer {
  const at = (wanted: Exclude<LogLevel, 'off'>) => logger !== undefined && LEVELS[level] <= LEVELS[wanted];
  const safely = <E>(name: string, hook: ((event: E) => void) | undefined, event: E) => {
    if (!hook) return;
    try {
      hook(event);
    } catch (error) {
      if (at('error')) logger!.error(`ihf-sdk: the ${name} hook threw; the call goes on`, { error });
    }
  };
  const where = (b: EventBase) => `${b.method} ${b.url} (${b.operation}, attempt ${b.attempt})`;

  return {
    request(base, headers, body) {
      if (!hooks.onRequest && !at('debug')) return;
      const event: RequestEvent = { ...base, url: redactString(base.url), headers: redactHeaders(headers), body: redactBody(body, headers['content-type']) };
      if (at('debug')) logger!.debug(`ihf-sdk → ${where(event)}`, { headers: event.headers, body: event.body });
      safely('onRequest', hooks.onRequest, event);
    },
    response(base, answer, durationMs, error) {
      if (!hooks.onResponse && !at('debug')) return;
      let redacted: { done: boolean; value: unknown } = { done: false, value: undefined };
      const event = {
        ...base,
        url: redactString(base.url),
        status: answer?.status,
        headers: answer ? redactHeaders(answer.headers) : undefined,
        requestId: answer?.requestId,
        durationMs,
        error,
        get body(): unknown {
          if (!redacted.done) redacted = { done: true, value: redactValue(answer?.body) };
          return redacted.value;
        },
      } satisfies ResponseEvent;
      if (at('debug')) {
        const outcome = answer ? String(answer.status) : `no response: ${error?.message ?? 'unknown'}`;
        logger!.debug(`ihf-sdk ← ${outcome} ${where(event)} in ${Math.round(durationMs)} ms`, { headers: event.headers, body: event.body, requestId: event.requestId });
      }
      safely('onResponse', hooks.onResponse, event);
    },
    retry(base, delayMs, error) {
      const event: RetryEvent = { ...base, url: redactString(base.url), delayMs, error };
      if (at('info')) logger!.info(`ihf-sdk retrying ${where(event)} in ${Math.round(delayMs)} ms after: ${redactString(error.message)}`);
      safely('onRetry', hooks.onRetry, event);
    },
    failed(base, error) {
      if (!at('warn')) return;
      const message = error instanceof Error ? error.message : String(error);
      const details = error as { status?: unknown; code?: unknown; requestId?: unknown };
      logger!.warn(`ihf-sdk ${base.method} ${redactString(base.url)} (${base.operation}) failed: ${redactString(message)}`, {
        status: details.status,
        code: details.code,
        requestId: details.requestId,
      });
    },
  };
}
