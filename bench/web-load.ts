// Benchmark (issue 14): what the console, the portal and the API reference cost to open.
//   size — JavaScript + CSS of each page's first load, as sent: brotli and gzip (the
//          precompressed files the server picks by Accept-Encoding) and raw; read from the
//          build, then checked against what Chromium actually received.
//   time — navigation start to the first interactive control, in Debian's Chromium
//          (headless) against a local server over loopback, each load in a fresh browser
//          context (cold cache), median and max of LOADS loads:
//            console sign-in  the `Sign in` button;
//            console          signed in (the token in sessionStorage): the navigation's
//                             `Consumers` link;
//            portal           opened with a portal credential: the `Add endpoint` button (after
//                             GET /me, which it needs first);
//            docs             the first operation of the spec rendered.
// The budget is 250 KB compressed JS + CSS and 1 s to interactive per app.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createApp } from '../apps/server/src/app.js';
import { loadConfig } from '../apps/server/src/config.js';
import { createSql } from '../apps/server/src/db/client.js';
import { createLogger } from '../apps/server/src/logger.js';
import { listen } from '../apps/server/src/server.js';
import { benchDatabase } from './lib/database.js';

const LOADS = 9;
const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'apps', 'web', 'dist');
const chromiumPath = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => Boolean(p && existsSync(p)));

const build = spawnSync(process.execPath, [join(root, 'scripts', 'ensure-web.mjs'), '--strict'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('the web build failed');

/** The files a page's index.html loads before it runs: its entry script, preloaded chunks, stylesheets. */
function firstLoad(page: string): string[] {
  const html = readFileSync(join(dist, page, 'index.html'), 'utf8');
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
}

const size = (file: string) => statSync(join(dist, file)).size;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

console.log('first load, JavaScript + CSS (from the build):');
const onDisk: Record<string, number> = {};
for (const page of ['console', 'portal', 'docs']) {
  const files = firstLoad(page);
  const raw = files.reduce((n, f) => n + size(f), 0);
  const br = files.reduce((n, f) => n + size(`${f}.br`), 0);
  const gz = files.reduce((n, f) => n + size(`${f}.gz`), 0);
  onDisk[page] = br;
  console.log(`  ${page.padEnd(8)} ${files.length} files: brotli ${kb(br)}, gzip ${kb(gz)}, raw ${kb(raw)}${page === 'docs' ? '' : `  (budget 250 KB: ${br <= 250 * 1024 && gz <= 250 * 1024 ? 'met' : 'MISSED'})`}`);
}

if (!chromiumPath) {
  console.log('time to interactive: skipped, no Chromium found (install Debian’s chromium or set CHROMIUM_PATH)');
  process.exit(0);
}

const database = await benchDatabase();
const config = loadConfig({
  ...process.env,
  DATABASE_URL: database.url,
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  IHF_ADMIN_TOKEN: `ihfadm_${randomBytes(32).toString('base64url')}`,
  IHF_SECRET_KEY: randomBytes(32).toString('base64'),
});
const sql = createSql(database.url);
const { app, services } = createApp({ config, sql, logger: createLogger('silent') });
const server = await listen(app, 0, '127.0.0.1');
const base = server.url;
const admin = (path: string, body?: unknown) =>
  fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${config.IHF_ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json() as Promise<Record<string, string>>);

// Some real data for the pages to show: a consumer, a key, a little traffic, a portal link.
const consumer = await admin('/api/v2/admin/consumers', { name: 'Bench analytics', tier: 'pro' });
const key = await admin(`/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['annotations:read', 'webhooks:manage'] });
for (let i = 0; i < 20; i++) await fetch(`${base}/api/v2/me`, { headers: { authorization: `Bearer ${key.key}` } }).then((r) => r.arrayBuffer());
await services.traffic.requestLog.flush();

const browser: Browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

interface Probe {
  name: string;
  url: () => Promise<string>;
  /** CSS selector of the control that makes the page usable. */
  ready: string;
  session?: [string, string];
}

const probes: Probe[] = [
  { name: 'console sign-in', url: async () => `${base}/console`, ready: 'button[type=submit]' },
  {
    name: 'console',
    url: async () => `${base}/console`,
    ready: 'nav a[href="/console/consumers"]',
    session: ['ihf-console-token', config.IHF_ADMIN_TOKEN!],
  },
  {
    name: 'portal',
    url: async () => (await admin(`/api/v2/admin/consumers/${consumer.id}/portal-sessions`, { ttl_seconds: 3600 })).url!,
    ready: 'main button[aria-expanded]',
  },
  { name: 'docs', url: async () => `${base}/docs`, ready: '.opblock' },
];

/**
 * Records, from inside the page, when `selector` first matches (no polling delay from
 * outside). A string: tsx would wrap a function's inner names in a helper the page lacks.
 */
const watchFor = (selector: string) => `
  new MutationObserver(() => {
    if (window.__ready === undefined && document.querySelector(${JSON.stringify(selector)})) window.__ready = performance.now();
  }).observe(document, { childList: true, subtree: true, attributes: true });`;

// A busy machine stretches every one of these: the load average says how busy this one was.
console.log(
  `time to interactive (navigation start to first control), ${LOADS} cold loads each, Chromium ${browser.version()}, ` +
    `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores:`,
);
for (const probe of probes) {
  const times: number[] = [];
  let wire = 0;
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    if (probe.session) {
      const [name, value] = probe.session;
      await page.addInitScript(`sessionStorage.setItem(${JSON.stringify(name)}, ${JSON.stringify(value)})`);
    }
    await page.addInitScript(watchFor(probe.ready));
    let bytes = 0;
    page.on('response', async (response) => {
      if (/\.(js|css)$/.test(new URL(response.url()).pathname)) bytes += Number((await response.headers())['content-length'] ?? 0);
    });
    await page.goto(await probe.url());
    await page.waitForFunction(() => (window as unknown as { __ready?: number }).__ready !== undefined, undefined, { timeout: 30_000 });
    times.push(await page.evaluate(() => (window as unknown as { __ready: number }).__ready));
    await page.waitForLoadState('networkidle');
    wire = bytes;
    await context.close();
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const verdict = probe.name === 'docs' ? '' : `  (budget 1 s: ${median <= 1000 ? 'met' : 'MISSED'})`;
  console.log(`  ${probe.name.padEnd(16)} median ${median.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms; JS + CSS over the wire ${kb(wire)}${verdict}`);
}

await browser.close();
await server.stop(1000);
await services.traffic.close();
await sql.end({ timeout: 5 });
await database.drop();
