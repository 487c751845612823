// Who receives a webhook is decided again at fan-out and at every attempt (the
// webhook_recipients view), not only at subscribe time: a deactivated consumer, or a hub
// whose manifest no longer lists the topic, stops receiving, including messages that
// were queued before the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { startTestWorker, subscribe } from './support/webhooks.js';

let t: TestServer;
let writerKey: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  t = await startTestServer({ env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_RETRY_SCHEDULE: '0,0.2' } });
  // Records are framework-wide: another consumer writes them, the subscribers only read.
  ({ key: writerKey } = await t.consumerWithKey(['annotations:write']));
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await t?.close();
});

async function subscriber(consumer: Record<string, unknown> = {}) {
  const { consumerId, key } = await t.consumerWithKey(['annotations:read', 'webhooks:manage'], consumer);
  const receiver = await startReceiver();
  receivers.push(receiver);
  const { id } = await subscribe(t, key, 'annotation.created', receiver.url);
  return { consumerId, subscriptionId: id, receiver };
}

async function annotate(body: string): Promise<string> {
  const res = await t.as(writerKey, 'POST', '/api/v2/annotations', { body, labels: [] });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** The states of the subscription's messages, oldest first. */
async function messageStates(subscriptionId: string): Promise<string[]> {
  const rows = await t.sql<{ state: string }[]>`
    SELECT state FROM webhook_messages WHERE webhook_subscription_id = ${subscriptionId} ORDER BY created_at`;
  return rows.map((r) => r.state);
}

async function drain(check: () => Promise<boolean>): Promise<void> {
  const worker = await startTestWorker(t, { concurrency: 4 });
  try {
    const end = Date.now() + 10_000;
    while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await worker.stop();
  }
}

const dataIds = (r: Receiver) => r.received.map((x) => (JSON.parse(x.body) as { data: { id: string } }).data.id);

describe('webhook recipients', () => {
  it('stops a deactivated consumer’s webhooks, queued ones included, and resumes new ones after reactivation', async () => {
    const active = await subscriber();
    const inactive = await subscriber();
    // Queued while the consumer was still active (no worker is running yet).
    const before = await annotate('queued before deactivation');
    expect(await messageStates(inactive.subscriptionId)).toEqual(['pending']);

    const off = await t.admin('PATCH', `/api/v2/admin/consumers/${inactive.consumerId}`, { is_active: false });
    expect(off.status).toBe(200);
    const during = await annotate('created while deactivated');
    // No message at all for the inactive consumer; the active one gets both events.
    expect(await messageStates(inactive.subscriptionId)).toEqual(['pending']);

    await drain(async () => active.receiver.received.length >= 2 && (await messageStates(inactive.subscriptionId))[0] !== 'pending');
    expect(dataIds(active.receiver).sort()).toEqual([before, during].sort());
    expect(await messageStates(inactive.subscriptionId)).toEqual(['cancelled']);
    expect(inactive.receiver.received).toHaveLength(0);

    const on = await t.admin('PATCH', `/api/v2/admin/consumers/${inactive.consumerId}`, { is_active: true });
    expect(on.status).toBe(200);
    const after = await annotate('created after reactivation');
    await drain(async () => inactive.receiver.received.length >= 1);
    expect(dataIds(inactive.receiver)).toEqual([after]);
  });

  it('stops a hub’s webhooks once its manifest no longer lists the topic', async () => {
    const created = await t.admin('POST', '/api/v2/admin/manifests', {
      name: `annotations-hub-${Date.now()}`,
      version: '1.0.0',
      scopes: ['annotations:read', 'webhooks:manage'],
      event_types: ['annotation.created'],
    });
    expect(created.status).toBe(201);
    const manifest = (await created.json()) as { id: string };
    const hub = await subscriber({ hub_capability_manifest_id: manifest.id });

    const listed = await annotate('while the manifest lists the topic');
    await drain(async () => hub.receiver.received.length >= 1);
    expect(dataIds(hub.receiver)).toEqual([listed]);

    const queued = await annotate('queued before the manifest changed');
    const narrowed = await t.admin('PATCH', `/api/v2/admin/manifests/${manifest.id}`, { event_types: [] });
    expect(narrowed.status).toBe(200);
    await annotate('created after the manifest changed');
    await drain(async () => (await messageStates(hub.subscriptionId)).at(-1) !== 'pending');

    expect(await messageStates(hub.subscriptionId)).toEqual(['delivered', 'cancelled']);
    expect(dataIds(hub.receiver)).toEqual([listed]);
    expect(dataIds(hub.receiver)).not.toContain(queued);
  });
});
