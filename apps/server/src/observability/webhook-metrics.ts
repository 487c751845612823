import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Sql } from '../db/client.js';
import { deliveryBacklog, type Backlog } from '../webhooks/sql/index.js';

/**
 * What became of an attempt that was made: delivered (2xx), gone (410), failed (any other
 * status), timeout (no answer within WEBHOOK_TIMEOUT_MS), error (no answer: connection
 * refused or reset, TLS), refused (the target failed the SSRF check; nothing was sent).
 */
export type AttemptOutcome = 'delivered' | 'gone' | 'failed' | 'timeout' | 'error' | 'refused';
const OUTCOMES: readonly AttemptOutcome[] = ['delivered', 'gone', 'failed', 'timeout', 'error', 'refused'];

/** A scrape waits at most this long for the backlog; past it the gauges read NaN (unknown). */
const BACKLOG_DEADLINE_MS = 2000;

/** The webhook worker's series: attempts by outcome, their duration, and the delivery backlog read when scraped. */
export function createWebhookMetrics(registry: Registry, sql: Sql) {
  const attempts = new Counter({
    name: 'ihf_webhook_attempts_total',
    help: 'Webhook delivery attempts made by this worker, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of OUTCOMES) attempts.inc({ outcome }, 0);
  const duration = new Histogram({
    name: 'ihf_webhook_attempt_duration_seconds',
    help: 'Duration of webhook requests sent by this worker, connect to last byte',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60],
    registers: [registry],
  });

  // Both gauges are collected in the same scrape: one query answers both.
  let reading: Promise<Backlog | null> | null = null;
  const backlog = () =>
    (reading ??= Promise.race([
      deliveryBacklog(sql),
      new Promise<null>((resolve) => setTimeout(resolve, BACKLOG_DEADLINE_MS, null).unref()),
    ])
      .catch(() => null)
      .finally(() => {
        reading = null;
      }));
  new Gauge({
    name: 'ihf_webhook_pending_messages',
    help: 'Webhook messages waiting for an attempt (due, running or waiting for a retry)',
    registers: [registry],
    async collect() {
      this.set((await backlog())?.pending ?? Number.NaN);
    },
  });
  new Gauge({
    name: 'ihf_webhook_oldest_pending_seconds',
    help: 'How long the most overdue webhook attempt has waited past its due time',
    registers: [registry],
    async collect() {
      this.set((await backlog())?.oldestSeconds ?? Number.NaN);
    },
  });

  return {
    /** One attempt: its outcome, and how long its request took (not for a refused one, never sent). */
    attempt(outcome: AttemptOutcome, seconds?: number): void {
      attempts.inc({ outcome });
      if (seconds !== undefined) duration.observe(seconds);
    },
  };
}
export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>;
