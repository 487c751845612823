// The consumer portal in real Chromium: opened from a minted link, used to set up an
// endpoint that a local receiver (127.0.0.1) gets a test event on, its attempt seen and
// redelivered; and an expired link. axe-core and screenshots on every page, light and dark.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookWorker } from '../../server/src/webhooks/worker/worker.js';
import { startTestServer, type TestServer } from '../../server/test/support/harness.js';
import { startReceiver, type Receiver } from '../../server/test/support/receiver.js';
import { startTestWorker } from '../../server/test/support/webhooks.js';
import { auditPage, chromiumPath, launchChromium, openPage, type WatchedPage } from './browser.js';
import { generateTraffic } from './traffic.js';

let t: TestServer;
let worker: WebhookWorker;
let browser: Browser;
let receiver: Receiver;
/** The server's clock runs this far ahead of the real one (the expiry test moves it). */
let skew = 0;
const pages: WatchedPage[] = [];

describe.skipIf(!chromiumPath)('consumer portal in Chromium', () => {
  let consumerId: string;

  beforeAll(async () => {
    t = await startTestServer({ now: () => new Date(Date.now() + skew), env: { WEBHOOK_RETRY_SCHEDULE: '0,0.2', WEBHOOK_TIMEOUT_MS: '2000' } });
    worker = await startTestWorker(t, { concurrency: 4 });
    receiver = await startReceiver((_r, n, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`received ${n}`));
    browser = await launchChromium();
    // The consumer's own static key holds the read scope its portal's subscriptions need.
    const consumer = await t.consumerWithKey(['annotations:read', 'annotations:write', 'usage:read'], { name: 'Acme analytics' });
    consumerId = consumer.consumerId;
    await generateTraffic(t, consumer.key, { ok: 12, notFound: 2, invalid: 1 });
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await receiver?.close();
    await t?.close();
  });

  async function portalLink(ttl = 3600): Promise<string> {
    const res = await t.admin('POST', `/api/v2/admin/consumers/${consumerId}/portal-sessions`, { ttl_seconds: ttl });
    expect(res.status).toBe(201);
    return ((await res.json()) as { url: string }).url;
  }

  async function open(link: string): Promise<Page> {
    const watched = await openPage(browser);
    pages.push(watched);
    await watched.page.goto(link);
    return watched.page;
  }

  async function expectAccessible(page: Page, name: string) {
    expect(await auditPage(page, name)).toEqual([]);
  }

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Portal' }).getByRole('link', { name, exact: true });

  it('opens from its link and takes the credential out of the address bar', async () => {
    const link = await portalLink();
    const token = decodeURIComponent(link.split('#token=')[1]!);
    const page = await open(link);
    await page.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
    expect(page.url()).toBe(`${t.url}/portal`);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([token]);
    for (const name of ['Endpoints', 'Event types', 'Usage']) await expect(nav(page, name).count()).resolves.toBe(1);
    await expectAccessible(page, 'portal-endpoints-empty');
  });

  it('creates an endpoint, sends a test event the receiver gets, shows the attempt and redelivers it', async () => {
    const page = await open(await portalLink());
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Event type').selectOption('annotation.created');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = (await page.getByLabel(/^Signing secret of /).innerText()).trim();
    expect(secret).toMatch(/^whsec_/);
    await expectAccessible(page, 'portal-endpoint-created');

    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { name: receiver.url, level: 1 }).waitFor();
    const before = receiver.received.length;
    await page.getByRole('button', { name: 'Send test event' }).click();
    const [first] = (await receiver.waitFor(before + 1)).slice(before);
    const messageId = String(first!.headers['webhook-id']);
    expect(messageId).toMatch(/^msg_test_/);
    expect(JSON.parse(first!.body)).toMatchObject({ type: 'annotation.created' });

    const attempts = page.getByRole('region', { name: 'Attempts' });
    const firstRow = attempts.getByRole('row').filter({ hasText: messageId });
    await firstRow.getByText('Delivered').waitFor({ timeout: 20_000 });
    await expect(firstRow.innerText()).resolves.toMatch(/200[\s\S]*received/);
    await expectAccessible(page, 'portal-endpoint');

    await firstRow.getByRole('button', { name: 'Redeliver' }).click();
    const [again] = (await receiver.waitFor(before + 2)).slice(before + 1);
    expect(again!.headers['webhook-id']).toBe(messageId);
    await expect.poll(() => attempts.getByRole('row').filter({ hasText: messageId }).count(), { timeout: 20_000 }).toBe(2);

    // The secret can be shown again, and rotated.
    await page.getByRole('button', { name: 'Reveal secret' }).click();
    await expect(page.getByLabel('Current signing secret').innerText()).resolves.toBe(secret);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect.poll(() => page.getByLabel('Current signing secret').innerText()).not.toBe(secret);
  });

  it('shows the event catalog and the consumer’s usage with its limits', async () => {
    const page = await open(await portalLink());
    await nav(page, 'Event types').click();
    await page.getByRole('heading', { name: 'Event types', level: 1 }).waitFor();
    const topic = page.getByRole('article', { name: 'annotation.created' });
    await topic.getByText('Example payload').click();
    await expect(topic.locator('pre').first().innerText()).resolves.toContain('"type": "annotation.created"');
    await expectAccessible(page, 'portal-event-types');

    await nav(page, 'Usage').click();
    const chart = page.getByRole('figure').filter({ hasText: 'Requests by status class' });
    // The traffic sent with the consumer's key (the portal's own calls come on top of it).
    await expect.poll(() => chart.getByRole('img').getAttribute('aria-label')).toMatch(/\d+ requests: \d+ succeeded \(2xx\), 3 client errors/);
    await page.getByText('Requests per minute').waitFor();
    await expectAccessible(page, 'portal-usage');
  });

  it('says clearly that an expired link has expired, and what to do', async () => {
    const link = await portalLink(60);
    skew = 2 * 3600_000;
    const page = await open(link);
    await page.getByRole('heading', { name: 'This portal link has expired' }).waitFor();
    await expect(page.getByRole('alert').innerText()).resolves.toContain('expired or was revoked');
    await page.getByText('Ask for a new link').waitFor();
    await expectAccessible(page, 'portal-expired');
    skew = 0;
  });

  it('shows no CSP violation and no uncaught error on any page', () => {
    expect(pages.flatMap((p) => p.problems)).toEqual([]);
  });
});
