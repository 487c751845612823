import { parseRateLimit, type RateLimit } from './rate-limit.js';
import type { HttpResponse } from './transport.js';

/** The HTTP side of a successful call, beside its parsed body. */
export interface ResponseInfo {
  status: number;
  headers: Headers;
  /** `X-Request-Id`: quote it to support. */
  requestId: string | undefined;
  /** From `RateLimit` / `RateLimit-Policy`; undefined on routes that report none (public ones). */
  rateLimit: RateLimit | undefined;
}

export interface WithResponse<T> {
  data: T;
  response: ResponseInfo;
}

export function responseInfo(response: HttpResponse): ResponseInfo {
  return {
    status: response.status,
    headers: response.headers,
    requestId: response.headers.get('x-request-id') ?? undefined,
    rateLimit: parseRateLimit(response.headers),
  };
}

/**
 * What every method returns: a promise of the parsed body that also gives the HTTP
 * response on request, without a second request:
 * `const { data, response } = await client.me.get().withResponse()`, or
 * `await client.me.get().asResponse()` for a Fetch `Response`.
 * The request is sent at once, when the method is called.
 */
export class ApiPromise<T> extends Promise<T> {
  // then/catch/finally derive plain promises; without this, they would try to build an ApiPromise.
  static override get [Symbol.species]() {
    return Promise;
  }

  readonly #result: Promise<{ data: T; http: HttpResponse }>;
  #data: Promise<T> | undefined;

  constructor(result: Promise<{ data: T; http: HttpResponse }>) {
    // The base promise is never observed: then/catch/finally read #result. Unwrapping the
    // body lazily means a caller who only asks withResponse() leaves no unhandled rejection.
    super((resolve) => resolve(undefined as T));
    this.#result = result;
  }

  /** The parsed body and the response's status, headers, request id and rate-limit state. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result.then(({ data, http }) => ({ data, response: responseInfo(http) }));
  }

  /** The response as a Fetch `Response` (status, headers, and the body as received, unread). */
  asResponse(): Promise<Response> {
    return this.#result.then(({ http }) => {
      // 204/205/304 may not carry a body, not even an empty one.
      const body = http.status === 204 || http.status === 205 || http.status === 304 ? null : http.text;
      return new Response(body, { status: http.status, headers: http.headers });
    });
  }

  #unwrap(): Promise<T> {
    this.#data ??= this.#result.then(({ data }) => data);
    return this.#data;
  }

  override then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.#unwrap().then(onfulfilled, onrejected);
  }

  override catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.#unwrap().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#unwrap().finally(onfinally);
  }
}
