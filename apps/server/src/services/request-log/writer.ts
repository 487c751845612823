import type { KeyUsage, RequestLogEntry, RequestLogRepository } from '../../db/repositories/request-log.js';
import { nextUtcMidnight } from '../../lib/time.js';
import type { Logger } from '../../logger.js';

export interface RequestLogWriterOptions {
  /** The most rows one INSERT carries. */
  batchSize?: number;
  /** Start a write once this many entries wait (at most batchSize). */
  flushAt?: number;
  /** …or this often, whichever comes first. */
  intervalMs?: number;
  /** Past this many unwritten entries (the database is down) the oldest are dropped, and counted. */
  maxBuffered?: number;
}

/** Billing periods are UTC calendar months. */
const monthStart = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));

/**
 * Per-key usage for a batch: the latest use and the requests in the billing period it
 * falls in. Requests the limiter refused (429) are not billed.
 */
export function keyUsageOf(entries: readonly RequestLogEntry[]): Map<string, KeyUsage> {
  const usage = new Map<string, KeyUsage>();
  for (const e of entries) {
    if (!e.api_key_id) continue;
    const period = monthStart(e.requested_at);
    const billed = e.status_code === 429 ? 0 : 1;
    const u = usage.get(e.api_key_id);
    if (!u || period.getTime() > u.periodStart.getTime()) {
      usage.set(e.api_key_id, { lastUsedAt: e.requested_at, periodStart: period, requests: billed });
    } else if (period.getTime() === u.periodStart.getTime()) {
      u.requests += billed;
      if (e.requested_at > u.lastUsedAt) u.lastUsedAt = e.requested_at;
    }
  }
  return usage;
}

/**
 * Buffers request-log entries and writes them in batches off the request path; a failed
 * write keeps its entries for the next tick, and close() drains everything.
 */
export function createRequestLogWriter(deps: {
  repo: RequestLogRepository;
  logger: Logger;
  now: () => Date;
  options?: RequestLogWriterOptions;
}) {
  // A second is the most a usage read can lag behind. Under load a write starts at 250
  // entries: serializing blocks the event loop, and PostgreSQL's cost per row is no higher.
  const batchSize = deps.options?.batchSize ?? 1000;
  const flushAt = Math.min(batchSize, deps.options?.flushAt ?? 250);
  const intervalMs = deps.options?.intervalMs ?? 1000;
  const maxBuffered = deps.options?.maxBuffered ?? 200_000;
  const buffer: RequestLogEntry[] = [];
  let inFlight: Promise<void> | null = null;
  let dropped = 0;
  let written = 0;
  let batches = 0;
  let failing = false;

  /** One batch, then more only while flushAt entries wait, so each INSERT carries many rows. */
  async function writeOnce(): Promise<void> {
    for (let first = true; first || buffer.length >= flushAt; first = false) {
      const batch = buffer.splice(0, batchSize);
      try {
        await deps.repo.writeBatch(batch, keyUsageOf(batch), nextUtcMidnight(deps.now()));
      } catch (err) {
        buffer.unshift(...batch);
        if (!failing) deps.logger.error({ err, pending: buffer.length }, 'request log: batch write failed; will retry');
        failing = true;
        throw err;
      }
      if (failing) deps.logger.info({ pending: buffer.length }, 'request log: writing again');
      failing = false;
      written += batch.length;
      batches += 1;
    }
  }

  function flush(): Promise<void> {
    inFlight ??= writeOnce().finally(() => {
      inFlight = null;
    });
    return inFlight;
  }

  const timer = setInterval(() => {
    if (buffer.length > 0) flush().catch(() => {});
  }, intervalMs);
  timer.unref();

  return {
    record(entry: RequestLogEntry): void {
      buffer.push(entry);
      if (buffer.length > maxBuffered) {
        const excess = buffer.length - maxBuffered;
        buffer.splice(0, excess);
        if (dropped === 0) deps.logger.error({ maxBuffered }, 'request log: buffer full, dropping the oldest entries');
        dropped += excess;
      }
      if (buffer.length >= flushAt && !inFlight) flush().catch(() => {});
    },

    /** Writes everything buffered now; rejects if the database refuses. */
    async flush(): Promise<void> {
      while (buffer.length > 0 || inFlight) await flush();
    },

    /** Stops the timer and drains the buffer, retrying a few times before giving up. */
    async close(): Promise<void> {
      clearInterval(timer);
      for (let attempt = 0; ; attempt++) {
        try {
          while (buffer.length > 0 || inFlight) await flush();
          return;
        } catch (err) {
          if (attempt >= 4) {
            deps.logger.error({ err, lost: buffer.length }, 'request log: could not drain before shutdown');
            return;
          }
          await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        }
      }
    },

    stats: () => ({ pending: buffer.length, written, batches, dropped }),
  };
}
export type RequestLogWriter = ReturnType<typeof createRequestLogWriter>;
