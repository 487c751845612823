// How the server serves the web build: precompressed files by Accept-Encoding, a year of
// immutable caching for hashed assets, index pages revalidated, client-side routes, and a
// strict CSP. Plain HTTP against the real server; no browser needed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readProblem, startTestServer, type TestServer } from '../../server/test/support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.close();
});

const get = (path: string, encoding = 'br, gzip') => t.request(path, { headers: { 'accept-encoding': encoding } });

function cspOf(res: Response): Map<string, string> {
  const header = res.headers.get('content-security-policy') ?? '';
  return new Map(header.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values.join(' ')]));
}

/** The hashed script a page's index.html loads. */
async function entryScript(page: string): Promise<string> {
  const html = await (await get(`/${page}`, 'identity')).text();
  const src = /<script type="module" crossorigin src="([^"]+)"/.exec(html)?.[1];
  expect(src, `${page} loads a module script`).toMatch(/^\/assets\/.+-[\w-]{8}\.js$/);
  return src!;
}

describe('the web apps and the API reference', () => {
  it.each(['console', 'portal', 'docs'])('serves /%s with a strict CSP and no inline script', async (page) => {
    const res = await get(`/${page}`, 'identity');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const csp = cspOf(res);
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('style-src')).toBe("'self'");
    expect(csp.get('connect-src')).toBe("'self'");
    expect(csp.get('frame-ancestors')).toBe("'none'");
    expect(csp.get('base-uri')).toBe("'none'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(csp.get('form-action')).toBe("'self'");
    expect([...csp.values()].join(' ')).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    const html = await res.text();
    // Every <script> has a src (nothing inline), and no element carries a style attribute.
    expect(html.match(/<script\b[^>]*>/g)?.every((tag) => /\bsrc="\/assets\//.test(tag))).toBe(true);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('answers client-side routes under a page with its index.html', async () => {
    for (const path of ['/console/consumers/2f1d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b', '/portal/usage', '/console/']) {
      const res = await get(path, 'identity');
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).toContain('<div id="app">');
    }
  });

  it('sends brotli or gzip as asked, with Vary, and hashed assets cached for a year', async () => {
    const script = await entryScript('console');
    const plain = await get(script, 'identity');
    const body = Buffer.from(await plain.arrayBuffer());
    expect(plain.headers.get('content-encoding')).toBeNull();

    const br = await get(script, 'gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(br.headers.get('cache-control')).toBe('public,max-age=31536000,immutable');
    expect(br.headers.get('content-type')).toMatch(/javascript/);
    // fetch decodes transparently; read the raw bytes through the declared length instead.
    expect(Number(br.headers.get('content-length'))).toBeLessThan(body.length / 2);

    const gz = await get(script, 'gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(Buffer.from(await gz.arrayBuffer()).equals(body)).toBe(true);
  });

  it('ships every JS, CSS and HTML file of the build precompressed, and the files decompress to the originals', () => {
    const dist = new URL('../dist/', import.meta.url).pathname;
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(js|css|html)$/.test(f));
    expect(files.length).toBeGreaterThan(6);
    for (const file of files) {
      const original = readFileSync(join(dist, file));
      expect(brotliDecompressSync(readFileSync(join(dist, `${file}.br`))).equals(original), file).toBe(true);
      expect(gunzipSync(readFileSync(join(dist, `${file}.gz`))).equals(original), file).toBe(true);
    }
  });

  it('answers an unknown asset and a write to a page with problem documents, never HTML', async () => {
    const missing = await get('/assets/nope-12345678.js');
    expect(missing.status).toBe(404);
    expect((await readProblem(missing)).code).toBe('route_not_found');
    const post = await t.request('/console', { method: 'POST' });
    expect(post.status).toBe(404);
    await readProblem(post);
  });

  it('serves the spec the reference reads', async () => {
    const res = await t.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });
});
