/** One page of a list route: `{ data, next_cursor }` (`next_cursor` null on the last page). */
export interface Page<Item> {
  data: Item[];
  next_cursor: string | null;
}

/**
 * What a list method returns: a promise of the first page that is also an async
 * iterable over every item of every page (`for await (const c of client.admin.consumers.list())`).
 * `pages()` iterates page by page.
 */
export type PagePromise<P extends Page<unknown>> = Promise<P> &
  AsyncIterable<P['data'][number]> & {
    pages(): AsyncIterable<P>;
  };

/** `fetchPage(cursor)` fetches one page; the first page is requested at once (like any call). */
export function pagePromise<P extends Page<unknown>>(fetchPage: (cursor: string | undefined) => Promise<P>, firstCursor?: string): PagePromise<P> {
  const first = fetchPage(firstCursor);
  async function* pages(): AsyncGenerator<P> {
    let page = await first;
    yield page;
    while (page.next_cursor !== null && page.next_cursor !== undefined) {
      page = await fetchPage(page.next_cursor);
      yield page;
    }
  }
  async function* items(): AsyncGenerator<P['data'][number]> {
    for await (const page of pages()) yield* page.data as P['data'][number][];
  }
  return Object.assign(first, {
    [Symbol.asyncIterator]: () => items(),
    pages: () => pages(),
  });
}
