// The API reference at /docs and the problem type pages at /problems in real Chromium: they
// render under the strict CSP, and pass axe-core (no serious or critical violation) in both schemes.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../server/test/support/harness.js';
import { auditPage, chromiumPath, launchChromium, openPage } from './browser.js';

let t: TestServer;
let browser: Browser;

describe.skipIf(!chromiumPath)('API reference in Chromium', () => {
  beforeAll(async () => {
    t = await startTestServer();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders every operation of the spec, accessibly, with no CSP violation', { timeout: 180_000 }, async () => {
    const spec = (await (await t.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.values(spec.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    const { page, problems } = await openPage(browser);
    await page.goto(`${t.url}/docs`);
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 20_000 }).toBe(operations);
    // "Try it out" calls this server: the picker's first (only) server is the origin the page came from.
    expect(await page.locator('#servers option').first().getAttribute('value')).toBe(t.url);
    // The reference is tens of thousands of pixels tall: screenshots of the first screen only.
    expect(await auditPage(page, 'docs', { fullPage: false })).toEqual([]);
    // An operation opened shows its parameters and responses.
    await page.locator('.opblock-summary-control').first().click();
    await page.locator('.opblock-body').first().waitFor();
    expect(await auditPage(page, 'docs-operation', { fullPage: false })).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('serves the problem type pages accessibly, with no CSP violation', async () => {
    const { page, problems } = await openPage(browser);
    await page.goto(`${t.url}/problems`);
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(10);
    expect(await auditPage(page, 'problems')).toEqual([]);
    await page.locator('a[href="/problems/validation-failed"]').click();
    await page.locator('h1', { hasText: 'Validation failed' }).waitFor();
    // The stylesheet from this origin applied (the CSP allows no inline style).
    expect(await page.evaluate(() => getComputedStyle(document.body).maxWidth)).not.toBe('none');
    expect(await auditPage(page, 'problem-validation-failed')).toEqual([]);
    expect(problems).toEqual([]);
  });
});
