// Webhook set-up shared by the tests: an in-process worker on the test server's database,
// a worker process of the real entry point, and a subscription.
import type { EventTopic } from '@ihf/contract';
import { expect } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker/worker.js';
import type { TestServer } from './harness.js';
import { spawnOnTestDatabase, type ServerProcess } from './process.js';

type WorkerOptions = Parameters<typeof startWebhookWorker>[0];

/** Retries within a second and a short deadline, so failure paths finish inside a test. */
export const FAST_RETRIES = { WEBHOOK_RETRY_SCHEDULE: '0,0.2,0.2,0.2', WEBHOOK_TIMEOUT_MS: '800' };

/** A webhook worker in this process on `t`'s database: silent, polling every 100 ms. */
export function startTestWorker(t: TestServer, options: Partial<WorkerOptions> = {}): Promise<WebhookWorker> {
  return startWebhookWorker({ config: t.config, databaseUrl: t.db.url, logger: createLogger('silent'), pollIntervalMs: 100, ...options });
}

/** A worker process (IHF_ROLE=worker, the real entry point) on `t`'s database, once it runs. */
export async function spawnTestWorker(t: TestServer, env: Record<string, string>): Promise<ServerProcess> {
  const p = spawnOnTestDatabase(t, env);
  await p.waitForLog('webhook worker running', 30_000);
  return p;
}

export interface Subscription {
  id: string;
  secret: string;
  event_type: EventTopic;
}

/** Subscribes `key`'s consumer to `topic` at `targetUrl`; the subscription must be created. */
export async function subscribe(t: TestServer, key: string, topic: EventTopic, targetUrl: string): Promise<Subscription> {
  const res = await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: topic, target_url: targetUrl });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Subscription;
}
