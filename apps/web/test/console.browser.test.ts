// The operator console in real Chromium against a real server with real traffic, found by
// the accessible names PRODUCT.md gives. Every page visited is checked by axe-core (no
// serious or critical violation, light and dark) and screenshotted.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookWorker } from '../../server/src/webhooks/worker/worker.js';
import { readProblem, startTestServer, until, type TestServer } from '../../server/test/support/harness.js';
import { startReceiver, type Receiver } from '../../server/test/support/receiver.js';
import { startTestWorker } from '../../server/test/support/webhooks.js';
import { auditPage, chromiumPath, launchChromium, openPage, type WatchedPage } from './browser.js';
import { generateTraffic } from './traffic.js';

let t: TestServer;
let worker: WebhookWorker;
let browser: Browser;
const receivers: Receiver[] = [];
const pages: WatchedPage[] = [];

describe.skipIf(!chromiumPath)('operator console in Chromium', () => {
  beforeAll(async () => {
    t = await startTestServer({ env: { WEBHOOK_RETRY_SCHEDULE: '0,0.2', WEBHOOK_TIMEOUT_MS: '2000' } });
    worker = await startTestWorker(t, { concurrency: 4 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await Promise.all(receivers.map((r) => r.close()));
    await t?.close();
  });

  /** A fresh tab; each test ends by checking it saw no CSP violation and no uncaught error. */
  async function tab(): Promise<Page> {
    const watched = await openPage(browser);
    pages.push(watched);
    return watched.page;
  }

  async function signIn(page: Page, path = '/console'): Promise<void> {
    await page.goto(t.url + path);
    await page.getByLabel('Admin token').fill(t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
  }

  async function expectAccessible(page: Page, name: string) {
    expect(await auditPage(page, name)).toEqual([]);
  }

  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name, exact: true });

  it('refuses a wrong admin token with the problem’s title, signs in with the right one and out again', async () => {
    const page = await tab();
    await page.goto(`${t.url}/console`);
    await expectAccessible(page, 'console-sign-in');
    await page.getByLabel('Admin token').fill('ihfadm_not-the-token-not-the-token-not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const refused = await readProblem(await t.request('/api/v2/admin/consumers', { headers: { authorization: 'Bearer ihfadm_wrong' } }));
    await expect.poll(() => page.getByRole('alert').innerText()).toContain(String(refused.title));
    await expectAccessible(page, 'console-sign-in-refused');

    await page.getByLabel('Admin token').fill(t.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    for (const name of ['Overview', 'Consumers', 'Webhooks', 'Review queue', 'Request log']) await expect(nav(page, name).count()).resolves.toBe(1);
    // The token lives in this tab's sessionStorage only.
    expect(await page.evaluate(() => [Object.values(sessionStorage), Object.values(localStorage)])).toEqual([[t.adminToken], []]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it('draws a consumer’s usage chart from real traffic', async () => {
    const { consumerId, key } = await t.consumerWithKey(['annotations:read', 'annotations:write'], { name: 'Chart Co' });
    const sent = await generateTraffic(t, key, { ok: 24, notFound: 4, invalid: 3 });
    const page = await tab();
    await signIn(page);
    // The overview charts all traffic: at least what this test sent (other tests' and the console's own come on top).
    const overview = page.getByRole('figure').filter({ hasText: 'Requests by status class' });
    const overviewCount = Number((await overview.getByRole('img').getAttribute('aria-label'))!.match(/([\d,]+) requests?:/)![1]!.replace(/,/g, ''));
    expect(overviewCount).toBeGreaterThanOrEqual(sent.ok + sent.notFound + sent.invalid);
    await expectAccessible(page, 'console-overview');
    await nav(page, 'Consumers').click();
    await page.getByRole('link', { name: 'Chart Co' }).click();
    await page.waitForURL(`**/console/consumers/${consumerId}`);

    const chart = page.getByRole('figure').filter({ hasText: 'Requests by status class' });
    const total = sent.ok + sent.notFound + sent.invalid;
    await expect.poll(() => chart.getByRole('img').getAttribute('aria-label')).toContain(`${total} requests: ${sent.ok} succeeded (2xx)`);
    // The canvas really has bars in the 2xx and 4xx colours.
    const painted = await chart.locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
      const colour = (tone: string) => {
        const probe = document.createElement('span');
        probe.className = `probe s-${tone}`;
        document.body.append(probe);
        const rgb = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
        probe.remove();
        return rgb;
      };
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const count = ([r, g, b]: number[]) => {
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i] === r && data[i + 1] === g && data[i + 2] === b) n++;
        return n;
      };
      return { ok: count(colour('2xx')), clientErrors: count(colour('4xx')) };
    });
    expect(painted.ok).toBeGreaterThan(0);
    expect(painted.clientErrors).toBeGreaterThan(0);
    // The text alternative holds the same numbers.
    await chart.getByText('Show the numbers as a table').click();
    const rows = await chart.getByRole('table').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.textContent!.replace(/\D/g, '')))),
    );
    expect(rows.reduce((sum, r) => sum + r[0]!, 0)).toBe(sent.ok);
    expect(rows.reduce((sum, r) => sum + r[2]!, 0)).toBe(sent.notFound + sent.invalid);
    await expect(page.getByRole('figure').filter({ hasText: 'Latency p50 and p95' }).count()).resolves.toBe(1);
    await expectAccessible(page, 'console-consumer');
  });

  it('issues a key shown once, then revokes it: its next call is 401', async () => {
    const consumer = await t.createConsumer({ name: 'Key Co' });
    const page = await tab();
    await signIn(page, `/console/consumers/${consumer.id}`);
    await page.getByRole('button', { name: 'Issue key' }).click();
    await page.getByLabel('annotations:read').check();
    await page.getByLabel('Name', { exact: true }).fill('browser test');
    await page.getByRole('button', { name: 'Issue the key' }).click();
    const shown = page.getByLabel(/^New key /);
    await shown.waitFor();
    const key = (await shown.innerText()).trim();
    expect((await t.as(key, 'GET', '/api/v2/me')).status).toBe(200);
    await expectAccessible(page, 'console-key-issued');

    await page.reload();
    const row = page.getByRole('row').filter({ hasText: 'browser test' });
    await row.waitFor();
    expect(await page.content()).not.toContain(key);
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Confirm revoke' }).click();
    await row.getByText('Revoked').waitFor();
    const refused = await t.as(key, 'GET', '/api/v2/me');
    expect(refused.status).toBe(401);
  });

  it('shows a soft-disabled subscription with its reason and re-enables it', async () => {
    const gone = await startReceiver((_r, _n, res) => res.writeHead(410).end('gone'));
    receivers.push(gone);
    const { consumerId, key } = await t.consumerWithKey(['webhooks:manage', 'annotations:read', 'annotations:write'], { name: 'Gone Co' });
    const sub = (await (await t.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: gone.url })).json()) as { id: string };
    expect((await t.as(key, 'POST', '/api/v2/annotations', { body: 'hello' })).status).toBe(201);
    await until('the 410 disables the subscription', async () => {
      const s = (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}`)).json()) as { disabled_at: string | null };
      return s.disabled_at !== null;
    });

    const page = await tab();
    await signIn(page);
    await nav(page, 'Webhooks').click();
    const listed = page.getByRole('region', { name: 'Disabled subscriptions' }).getByRole('row').filter({ hasText: gone.url });
    await listed.getByText(/Disabled/).waitFor();
    await page.getByRole('row').filter({ hasText: 'annotation.created' }).first().waitFor();
    await expectAccessible(page, 'console-webhooks');
    await page.getByRole('checkbox', { name: 'Failures only' }).check();
    await expect.poll(() => page.getByRole('row').filter({ hasText: '410' }).count()).toBeGreaterThan(0);

    await page.goto(`${t.url}/console/consumers/${consumerId}`);
    const rate = page.getByRole('figure').filter({ hasText: 'Webhook success rate' });
    await expect.poll(() => rate.getByRole('img').getAttribute('aria-label')).toContain('1 attempt: 0 delivered (2xx), 1 failed; success rate 0.0 %');
    const row = page.getByRole('region', { name: 'Webhook subscriptions' }).getByRole('row').filter({ hasText: gone.url });
    await row.getByText(/Disabled/).waitFor();
    await row.getByRole('button', { name: 'Re-enable' }).click();
    await row.getByText('Active').waitFor();
    const after = (await (await t.as(key, 'GET', `/api/v2/webhook-subscriptions/${sub.id}`)).json()) as { is_active: boolean; disabled_at: string | null };
    expect(after).toMatchObject({ is_active: true, disabled_at: null });
  });

  it('approves a requirement candidate from the review queue', async () => {
    const { key } = await t.consumerWithKey(['requirement-candidates:write', 'requirement-candidates:read']);
    const res = await t.as(key, 'POST', '/api/v2/requirement-candidates', { title: 'Confirm saves visibly', category: 'ux' });
    const candidate = (await res.json()) as { id: string; status: string };
    expect(candidate.status).toBe('pending_review');

    const page = await tab();
    await signIn(page);
    await nav(page, 'Review queue').click();
    const row = page.getByRole('row').filter({ hasText: 'Confirm saves visibly' });
    await row.waitFor();
    await expectAccessible(page, 'console-review-queue');
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByRole('status').filter({ hasText: 'Approved' }).waitFor();
    const after = (await (await t.as(key, 'GET', `/api/v2/requirement-candidates/${candidate.id}`)).json()) as { status: string };
    expect(after.status).toBe('approved');
  });

  it('filters the request log by consumer and status', async () => {
    const { key } = await t.consumerWithKey(['annotations:read'], { name: 'Log Co' });
    await generateTraffic(t, key, { ok: 2, notFound: 3, invalid: 0 });
    const page = await tab();
    await signIn(page);
    await nav(page, 'Request log').click();
    await page.getByRole('heading', { name: 'Request log', level: 1 }).waitFor();
    await page.getByLabel('Consumer').selectOption({ label: 'Log Co' });
    await page.getByLabel('Status').fill('404');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(3);
    expect(await page.locator('tbody tr').allInnerTexts()).toEqual(Array(3).fill(expect.stringMatching(/GET\s+\/api\/v2\/annotations\/\S+\s+404/)));
    // A class filters too.
    await page.getByLabel('Status').fill('2xx');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('tbody tr').allInnerTexts()).toEqual(Array(2).fill(expect.stringMatching(/GET\s+\/api\/v2\/me\s+200/)));
    await expectAccessible(page, 'console-request-log');
  });

  it('creates a portal link that opens the consumer’s portal', async () => {
    const consumer = await t.createConsumer({ name: 'Portal Co' });
    const page = await tab();
    await signIn(page);
    await nav(page, 'Consumers').click();
    await page.getByRole('link', { name: 'Portal Co' }).click();
    await page.getByRole('button', { name: 'Create portal link' }).click();
    const link = (await page.getByLabel('Portal link').innerText()).trim();
    expect(link).toMatch(new RegExp(`^${t.url}/portal#token=`));

    const portal = await tab();
    await portal.goto(link);
    await portal.getByRole('heading', { name: 'Endpoints', level: 1 }).waitFor();
    await expect(portal.getByText('Portal Co').count()).resolves.toBeGreaterThan(0);
    expect(portal.url()).toBe(`${t.url}/portal`);
    expect(consumer.id).toBeTruthy();
  });

  it('shows no CSP violation and no uncaught error on any page', () => {
    expect(pages.flatMap((p) => p.problems)).toEqual([]);
  });
});
