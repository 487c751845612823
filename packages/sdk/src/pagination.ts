import { ApiPromise } from './api-promise.js';
import type { HttpResponse } from './transport.js';

/** One page of a list route: `{ data, next_cursor }` (`next_cursor` null on the last page). */
export interface Page<Item> {
  data: Item[];
  next_cursor: string | null;
}

type FetchPage<P> = (cursor: string | undefined) => Promise<{ data: P; http: HttpResponse }>;

/**
 * What a list method returns: an {@link ApiPromise} of the first page that is also an
 * async iterable over every item of every page
 * (`for await (const c of client.admin.consumers.list())`); `pages()` iterates page by
 * page, and `withResponse()` gives the first page with its HTTP response.
 */
export class PagePromise<P extends Page<unknown>> extends ApiPromise<P> implements AsyncIterable<P['data'][number]> {
  readonly #fetchPage: FetchPage<P>;
  readonly #first: Promise<{ data: P; http: HttpResponse }>;

  /** `fetchPage(cursor)` fetches one page; the first page is requested at once (like any call). */
  constructor(fetchPage: FetchPage<P>, firstCursor?: string) {
    const first = fetchPage(firstCursor);
    super(first);
    this.#first = first;
    this.#fetchPage = fetchPage;
  }

  async *pages(): AsyncGenerator<P> {
    let page = (await this.#first).data;
    yield page;
    while (page.next_cursor !== null && page.next_cursor !== undefined) {
      page = (await this.#fetchPage(page.next_cursor)).data;
      yield page;
    }
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<P['data'][number]> {
    for await (const page of this.pages()) yield* page.data as P['data'][number][];
  }
}
