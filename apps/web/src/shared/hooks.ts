import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Loaded<T> =
  | { status: 'loading'; data?: T; error?: undefined }
  | { status: 'error'; error: unknown; data?: T }
  | { status: 'ready'; data: T; error?: undefined };

/**
 * Runs `load` when a dependency changes and on reload(); an answer that arrives after a
 * newer load started is dropped, so a fast typist never sees an older filter's rows.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ status: 'loading', data: s.data }));
    load().then(
      (data) => mine === generation.current && setState({ status: 'ready', data }),
      (error: unknown) => mine === generation.current && setState({ status: 'error', error }),
    );
    // The caller lists what load reads in deps.
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** An action (a button's work): its pending flag, its last error, and a runner. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A): Promise<R | undefined> => {
    setPending(true);
    setError(undefined);
    try {
      return await action(...args);
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { pending, error, run, clearError: () => setError(undefined) };
}

export interface Paged<T> {
  status: 'loading' | 'error' | 'ready';
  rows: T[];
  error?: unknown;
  nextCursor: string | null;
  loadingMore: boolean;
  more: () => void;
  reload: () => void;
}

/** A cursor-paginated list: the first page on each dependency change, then "Load more" appends. */
export function usePaged<T>(fetchPage: (cursor: string | undefined) => Promise<{ data: T[]; next_cursor: string | null }>, deps: unknown[]): Paged<T> {
  const [state, setState] = useState<Omit<Paged<T>, 'more' | 'reload'>>({ status: 'loading', rows: [], nextCursor: null, loadingMore: false });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, status: 'loading', error: undefined }));
    fetchPage(undefined).then(
      (page) => mine === generation.current && setState({ status: 'ready', rows: page.data, nextCursor: page.next_cursor, loadingMore: false }),
      (error: unknown) => mine === generation.current && setState({ status: 'error', error, rows: [], nextCursor: null, loadingMore: false }),
    );
    // The caller lists what fetchPage reads in deps.
  }, [...deps, tick]);
  const more = () => {
    const cursor = state.nextCursor;
    if (!cursor || state.loadingMore) return;
    const mine = generation.current;
    setState((s) => ({ ...s, loadingMore: true }));
    fetchPage(cursor).then(
      (page) => mine === generation.current && setState((s) => ({ ...s, rows: [...s.rows, ...page.data], nextCursor: page.next_cursor, loadingMore: false })),
      (error: unknown) => mine === generation.current && setState((s) => ({ ...s, status: 'error', error, loadingMore: false })),
    );
  };
  return { ...state, more, reload: () => setTick((t) => t + 1) };
}
