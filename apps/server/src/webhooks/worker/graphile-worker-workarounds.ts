import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalQueueMode, WorkerEvents } from 'graphile-worker';
import type { Logger } from 'pino';

// graphile-worker 0.17.3 behaviours the queue runner works around, one function each.
// Drop each once an upgrade no longer shows its behaviour.

/** One graphile-worker runner as the supervisor sees it. */
export interface OneRunner {
  /** Settles once the runner has ended, or its pool started shutting down, on its own. */
  ended: Promise<{ err: unknown }>;
  stop(): Promise<void>;
}

const RESTART_DELAY_MIN_MS = 1000;
const RESTART_DELAY_MAX_MS = 30_000;
const STOP = Symbol('stop');

/**
 * A worker pool that shuts itself down. One failed batched completion (e.g. while
 * PostgreSQL restarts) shuts the pool down for good, as batch() never retries
 * (graphile/worker#636), and runner.promise then resolves as after a stop
 * (graphile/worker#635), or never settles when that shutdown hangs: the process stays up
 * with no queue. So the runner is watched through its pool's events (OneRunner.ended) and
 * replaced, after a delay that doubles while replacements keep failing or dying young.
 */
export async function superviseRunner(start: () => Promise<OneRunner>, logger: Logger): Promise<{ stop(): Promise<void> }> {
  let current = await start();
  let requestStop!: () => void;
  const stopRequested = new Promise<typeof STOP>((resolve) => (requestStop = () => resolve(STOP)));

  const supervised = (async () => {
    let delay = RESTART_DELAY_MIN_MS;
    for (;;) {
      const startedAt = Date.now();
      const exit = await Promise.race([current.ended, stopRequested]);
      if (exit === STOP) return current.stop();
      logger.error({ err: exit.err }, 'webhook queue runner stopped on its own; starting a new one');
      if (Date.now() - startedAt > RESTART_DELAY_MAX_MS) delay = RESTART_DELAY_MIN_MS;
      for (;;) {
        // Unref'd: a process stopping meanwhile is not kept up by the wait.
        if ((await Promise.race([sleep(delay, undefined, { ref: false }), stopRequested])) === STOP) return;
        delay = Math.min(delay * 2, RESTART_DELAY_MAX_MS);
        try {
          current = await start();
          break;
        } catch (err) {
          logger.error({ err, retryInMs: delay }, 'could not start a new webhook queue runner');
        }
      }
    }
  })();

  return {
    stop() {
      requestStop();
      return supervised;
    },
  };
}

/**
 * A local queue cannot be released while it holds fetched jobs (mode WAITING): it throws
 * "Cannot background something when the queue is already released" and the graceful
 * shutdown turns forceful, with errors logged. In any other mode the release is clean. So
 * a stop first waits (bounded) for the workers to take what it holds; the caller makes
 * running jobs finish promptly, so the first free worker empties it.
 */
export function watchLocalQueue(events: WorkerEvents) {
  let mode: LocalQueueMode = 'STARTING';
  let leftWaiting: (() => void) | undefined;
  events.on('localQueue:setMode', ({ newMode }) => {
    mode = newMode;
    if (newMode !== 'WAITING') leftWaiting?.();
  });
  return {
    /** Settles once the local queue holds no fetched job, or after `timeoutMs`. */
    async emptied(timeoutMs: number, logger: Logger): Promise<void> {
      if (mode !== 'WAITING') return;
      logger.debug('webhook queue stopping: waiting for the local queue to give out the jobs it holds');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (leftWaiting = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    },
  };
}

let absorbing = false;
/**
 * A pool that shuts itself down while its local queue holds jobs hands them back in a
 * promise nothing handles; when that fails too (the database is down) the rejection would
 * end the process. Those jobs stay locked by the dead pool, whose liveness lock is then
 * given up, so the sweepers release them: only that rejection is absorbed. Any other is
 * left as if no one listened (Node's default ends the process).
 */
export function absorbLostLocalQueueReturns(logger: Logger): void {
  if (absorbing) return;
  absorbing = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && reason.message.startsWith('Error occurred whilst returning jobs from local queue to database queue')) {
      logger.warn({ err: reason }, 'a stopped webhook queue could not hand back its fetched jobs; the sweeper releases them');
    } else if (process.listenerCount('unhandledRejection') === 1) {
      throw reason;
    }
  });
}
