/**
 * DataLoader options for statements that concurrent attempts share: those that ask within
 * a millisecond go out together, up to 100 (claims of single attempts, signing contexts).
 */
export const SHARED_ROUND_TRIP = { cache: false, maxBatchSize: 100, batchScheduleFn: (run: () => void) => void setTimeout(run, 1) } as const;

/**
 * Collects items and runs them as one batch when `maxItems` have gathered or `maxWaitMs`
 * after the first, whichever comes first; each caller awaits its own batch. Hand-rolled
 * rather than DataLoader: DataLoader dispatches a batch only on its schedule, never as soon
 * as it is full, so a wait long enough to gather large batches at a low rate would also
 * hold full batches back at a high one.
 */
export function createBatcher<T>(run: (items: T[]) => Promise<void>, opts: { maxItems: number; maxWaitMs: number }) {
  let items: T[] = [];
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;

  function flush() {
    clearTimeout(timer);
    timer = undefined;
    const batch = items;
    const settle = waiters;
    items = [];
    waiters = [];
    Promise.resolve(batch).then(run).then(
      () => settle.forEach((w) => w.resolve()),
      (err: unknown) => settle.forEach((w) => w.reject(err)),
    );
  }

  return {
    add(item: T): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        items.push(item);
        waiters.push({ resolve, reject });
        if (items.length >= opts.maxItems) flush();
        else timer ??= setTimeout(flush, opts.maxWaitMs);
      });
    },
  };
}
