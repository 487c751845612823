// The portal's way in, through @ihf/sdk as the browser apps use it: the operator's client
// mints a link, a client built on the link's credential works the portal's routes, and
// signs out. Imports the SDK's source, as sdk.e2e does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, createClient, PermissionDeniedError } from '../../../packages/sdk/src/index.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { tokenOf } from './support/portal-session.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

describe('a portal session through @ihf/sdk', () => {
  it('mints, works the portal’s routes, is refused elsewhere, and signs out', async () => {
    const admin = createClient({ baseUrl: t.url, apiKey: t.adminToken });
    const consumer = await admin.admin.consumers.create({ body: { name: 'portal sdk' } });
    await admin.admin.keys.create({ params: { consumerId: consumer.id }, body: { scopes: ['annotations:read'] } });
    const session = await admin.admin.portalSessions.create({ params: { consumerId: consumer.id }, body: { ttl_seconds: 600 } });
    const token = tokenOf(session);

    const portal = createClient({ baseUrl: t.url, apiKey: token, maxRetries: 0 });
    const me = await portal.me.get();
    expect(me.credential).toMatchObject({ token_type: 'portal', expires_at: session.expires_at });
    const sub = await portal.webhookSubscriptions.create({ body: { event_type: 'annotation.created', target_url: 'http://127.0.0.1:9/sdk' } });
    expect((await portal.webhookSubscriptions.revealSecret({ params: { id: sub.id } })).secret).toBe(sub.secret);
    expect((await portal.webhookStats.get()).totals.attempts).toBe(0);
    expect((await portal.usage.get()).consumer_id).toBe(consumer.id);
    await expect(portal.annotations.list()).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(portal.portalSessions.create({ body: {} })).rejects.toBeInstanceOf(PermissionDeniedError);

    const listed = await admin.admin.webhookSubscriptions.listForConsumer({ params: { consumerId: consumer.id } });
    expect(listed.data.map((s) => [s.id, s.state])).toEqual([[sub.id, 'active']]);

    await portal.portalSessions.revokeCurrent();
    await expect(portal.me.get()).rejects.toBeInstanceOf(AuthenticationError);
  });
});
