// Real Chromium (Debian's package) driven by playwright-core, for the web tests: pages
// opened with their CSP in force, checked by axe-core in both colour schemes, and
// screenshotted as test artifacts.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium binary to drive, or undefined when this machine has none (the tests are then skipped). */
export const chromiumPath = CANDIDATES.find((p): p is string => Boolean(p && existsSync(p)));
if (!chromiumPath) console.warn("web browser tests skipped: no Chromium found (install Debian's `chromium` or set CHROMIUM_PATH)");

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** playwright-core gives each launch a fresh temporary profile (user-data-dir). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: FLAGS, headless: true });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const repoRoot = new URL('../../../', import.meta.url).pathname;
export const screenshotDir = join(repoRoot, '.data', 'test-results', 'screenshots');

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Content-Security-Policy violations and uncaught errors seen so far. */
  problems: string[];
}

/** A page in a context of its own (its own sessionStorage), with CSP violations and page errors recorded. */
export async function openPage(browser: Browser): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return { page, context, problems };
}

export interface AxeFinding {
  scheme: 'light' | 'dark';
  id: string;
  impact: string | null;
  nodes: number;
  targets: string[];
}

/**
 * Runs axe-core on the page as it is, in the light and then the dark scheme, screenshots
 * each, and answers the serious and critical violations. axe is evaluated through the
 * DevTools protocol, which the page's CSP does not govern.
 */
export async function auditPage(page: Page, name: string, { fullPage = true } = {}): Promise<AxeFinding[]> {
  mkdirSync(screenshotDir, { recursive: true });
  const findings: AxeFinding[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    // Charts redraw on a scheme change; let the frame settle before measuring contrast.
    await page.waitForTimeout(150);
    await page.evaluate(axeSource);
    const result = (await page.evaluate(() => (window as unknown as { axe: { run: () => Promise<unknown> } }).axe.run())) as {
      violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
    };
    for (const v of result.violations) {
      if (v.impact === 'serious' || v.impact === 'critical') {
        findings.push({ scheme, id: v.id, impact: v.impact, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) });
      }
    }
    await page.screenshot({ path: join(screenshotDir, `${name}-${scheme}.png`), fullPage });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings;
}
