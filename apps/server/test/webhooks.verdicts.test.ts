// The delivery engine's SSRF verdict cache. An allowed target's verdict (its vetted
// address) is reused for a while and shared by the attempts that ask at once, then vetted
// again; a refused target is never cached: every attempt resolves and checks it anew, so a
// target that becomes acceptable is delivered to at its next attempt. Targets are
// host names resolved by an injected, counting lookup, to the loopback receiver only (a
// host that "does not resolve" is the refusal), so no connection leaves loopback.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliveryEngine, type DeliveryEngine } from '../src/webhooks/delivery/engine.js';
import { createSecretBox } from '../src/lib/secret-box.js';
import { createSenderAgents, type SenderAgents } from '../src/webhooks/delivery/sender.js';
import type { LookupFn } from '../src/webhooks/delivery/ssrf.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { viewedEvents } from './support/records.js';
import { subscribe } from './support/webhooks.js';

const TTL_MS = 1500;

let t: TestServer;
let receiver: Receiver;
let agents: SenderAgents;
let engine: DeliveryEngine;
let key: string;

/** Host names the lookup resolves to loopback; any other name does not resolve. */
const resolvable = new Set<string>();
const lookups = new Map<string, number>();
const lookup: LookupFn = async (host) => {
  lookups.set(host, (lookups.get(host) ?? 0) + 1);
  if (!resolvable.has(host)) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return [{ address: '127.0.0.1', family: 4 }];
};

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  receiver = await startReceiver();
  agents = createSenderAgents(8);
  engine = createDeliveryEngine({
    sql: t.sql,
    secretBox: createSecretBox(t.config.IHF_SECRET_KEY!),
    logger: pino({ level: 'silent' }),
    retrySchedule: [0, 60, 60, 60, 60],
    timeoutMs: 2000,
    allowPrivateTargets: true,
    lookup,
    agents,
    verdictTtlMs: TTL_MS,
  });
  ({ key } = await t.consumerWithKey(['interaction-events:read', 'interaction-events:write', 'webhooks:manage']));
});
afterAll(async () => {
  agents?.destroy();
  await receiver?.close();
  await t?.close();
});

/**
 * A subscription whose target is `host` on the receiver's port, and `n` messages to it.
 * The target is set in the database: subscribing vets the URL with the system's resolver,
 * which knows nothing of these names. No worker runs: the test drives the engine.
 */
async function messagesTo(host: string, n: number): Promise<{ url: string; messages: string[] }> {
  await t.sql`UPDATE webhook_subscriptions SET deleted_at = now(), is_active = false WHERE deleted_at IS NULL`;
  const { id } = await subscribe(t, key, 'interaction_event.created', receiver.url);
  const url = `http://${host}:${new URL(receiver.url).port}/hook`;
  await t.sql`UPDATE webhook_subscriptions SET target_url = ${url} WHERE id = ${id}`;
  const events = viewedEvents(n, host);
  expect((await t.as(key, 'POST', '/api/v2/interaction-events/batch', { events })).status).toBe(201);
  const rows = await t.sql<{ id: string }[]>`SELECT id FROM webhook_messages WHERE webhook_subscription_id = ${id} ORDER BY created_at, id`;
  expect(rows).toHaveLength(n);
  return { url, messages: rows.map((r) => r.id) };
}

const receivedFor = (host: string) => receiver.received.filter((r) => r.headers.host?.startsWith(`${host}:`));

describe('SSRF verdicts in the delivery engine', () => {
  it('reuses an allowed verdict within its TTL, shares one among attempts that ask at once, and vets the target again after it', async () => {
    const host = 'allowed.hooks.test';
    resolvable.add(host);
    const { messages } = await messagesTo(host, 8);
    const [m1, m2, m3, ...together] = messages;

    expect(await engine.deliver(m1!, 1)).toBe('delivered');
    expect(lookups.get(host)).toBe(1);
    const firstVetted = Date.now();
    expect(await engine.deliver(m2!, 1)).toBe('delivered');
    // Within the TTL (the check guards against a machine so slow that it had already run out).
    expect(Date.now() - firstVetted).toBeLessThan(TTL_MS);
    expect(lookups.get(host)).toBe(1);

    await new Promise((r) => setTimeout(r, TTL_MS + 200));
    expect(await engine.deliver(m3!, 1)).toBe('delivered');
    expect(lookups.get(host)).toBe(2);

    // Expired again: five attempts at once resolve the target once between them.
    await new Promise((r) => setTimeout(r, TTL_MS + 200));
    expect(await Promise.all(together.map((m) => engine.deliver(m, 1)))).toEqual(together.map(() => 'delivered'));
    expect(lookups.get(host)).toBe(3);
    expect(new Set(receivedFor(host).map((r) => r.headers['webhook-id']))).toEqual(new Set(messages));
  });

  it('never caches a refusal: each attempt vets the target again, and one that becomes acceptable is delivered to', async () => {
    const host = 'refused.hooks.test';
    const { messages } = await messagesTo(host, 1);
    const m = messages[0]!;

    expect(await engine.deliver(m, 1)).toBe('failed');
    expect(lookups.get(host)).toBe(1);
    // Well within any TTL, the next attempt resolves and checks the target again.
    expect(await engine.deliver(m, 2)).toBe('failed');
    expect(lookups.get(host)).toBe(2);
    expect(receivedFor(host)).toEqual([]);

    resolvable.add(host);
    expect(await engine.deliver(m, 3)).toBe('delivered');
    expect(lookups.get(host)).toBe(3);
    expect(receivedFor(host).map((r) => r.headers['webhook-id'])).toEqual([m]);

    const rows = await t.sql<{ attempt: number; status: string; error_message: string | null }[]>`
      SELECT attempt, status, error_message FROM webhook_deliveries WHERE webhook_message_id = ${m} ORDER BY attempt`;
    expect(rows.map((r) => [r.attempt, r.status])).toEqual([[1, 'failed'], [2, 'failed'], [3, 'delivered']]);
    for (const r of rows.slice(0, 2)) expect(r.error_message).toMatch(/^refused: target host refused\.hooks\.test does not resolve/);
  });
});
