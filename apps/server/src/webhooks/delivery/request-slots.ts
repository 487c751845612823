export const HANDED_BACK = 'handed-back';

/** A request waiting for a slot; the queue settles it with its started request, or hands it back. */
export interface SlotRequest<R> {
  resolve(result: Promise<R> | typeof HANDED_BACK): void;
  reject(err: unknown): void;
}

/**
 * Request slots, first come first served. Hand-rolled rather than p-limit: the queue is
 * also the list of claimed attempts a stopping worker gives back (close, takeWaiting).
 */
export function createRequestSlots<T extends SlotRequest<R>, R>(opts: {
  max: number;
  /** Starts one request; its slot is held until the returned promise settles. */
  start: (request: T) => Promise<R>;
  /** After close(): called once per tick in which requests arrived, to hand them back. */
  arrivedWhileClosed: () => void;
}) {
  let free = opts.max;
  let waiting: T[] = [];
  let closed = false;
  let arrivalQueued = false;

  function startWaiting() {
    while (free > 0 && waiting.length > 0) {
      const next = waiting.shift()!;
      free--;
      const started = opts.start(next);
      started.then(slotFreed, slotFreed); // the slot is held until the answer is in
      next.resolve(started);
    }
  }
  function slotFreed() {
    free++;
    if (!closed) startWaiting();
  }
  function queueArrival() {
    if (arrivalQueued) return;
    arrivalQueued = true;
    queueMicrotask(() => {
      arrivalQueued = false;
      opts.arrivedWhileClosed();
    });
  }

  return {
    /** Queues a request; it starts as soon as a slot is free, unless the queue is closed. */
    wait(request: T): void {
      waiting.push(request);
      if (closed) queueArrival();
      else startWaiting();
    },
    /** No request starts from now on. */
    close(): void {
      closed = true;
    },
    get closed(): boolean {
      return closed;
    },
    /** The requests still waiting, taken out of the queue. */
    takeWaiting(): T[] {
      const taken = waiting;
      waiting = [];
      return taken;
    },
  };
}
