// Runs inside a loopback-only network namespace (scripts/test.mjs). No database: the
// SSRF guard and the sender are units, fed an injected DNS lookup and loopback receivers.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendWebhook } from '../src/webhooks/sender.js';
import { refusalFor, UnsafeTargetError, vetTarget, type LookupFn } from '../src/webhooks/ssrf.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

/** A loopback server that counts connections and requests. */
async function loopback(handler: Parameters<typeof createServer>[1] = (_q, s) => s.writeHead(200).end('ok')) {
  const stats = { connections: 0, requests: [] as { host: string | undefined; url: string | undefined }[] };
  const server = createServer((req, res) => {
    stats.requests.push({ host: req.headers.host, url: req.url });
    handler!(req, res);
  });
  server.on('connection', () => stats.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { port: (server.address() as AddressInfo).port, stats };
}

const lookupTo = (...addresses: string[]): LookupFn & { calls: string[] } => {
  const calls: string[] = [];
  const fn = async (host: string) => {
    calls.push(host);
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(fn, { calls });
};

describe('SSRF guard: address classes', () => {
  it.each([
    '127.0.0.1', '127.255.255.254', '10.0.0.1', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '100.64.0.1', '100.127.255.254', '0.0.0.0', '0.1.2.3', '224.0.0.1', '239.255.255.250', '255.255.255.255',
    '192.0.0.8', '198.18.0.1', '240.0.0.1',
    '::1', '::', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254', 'fe80::1', 'fd00::1',
    'fc00::1', 'ff02::1', 'fec0::1', '64:ff9b::7f00:1', '2002:7f00:1::1', '2001:db8::1', '[::1]', 'fe80::1%eth0',
  ])('refuses %s', (address) => {
    expect(refusalFor(address)).not.toBeNull();
  });

  it.each(['93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e'])('accepts public %s', (address) => {
    expect(refusalFor(address)).toBeNull();
  });
});

describe('SSRF guard: target URLs', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[::ffff:7f00:1]/hook',
    'http://2130706433/hook',
    'http://0x7f.0.0.1/hook',
    'http://0177.0.0.1/hook',
    'http://127.1/hook',
    'http://0/hook',
    'https://100.64.1.1/hook',
    'http://[fd12:3456::1]/hook',
  ])('refuses %s without resolving or connecting', async (url) => {
    const lookup = lookupTo('93.184.216.34');
    await expect(vetTarget(url, { allowPrivate: false, lookup })).rejects.toBeInstanceOf(UnsafeTargetError);
    expect(lookup.calls).toEqual([]);
  });

  it('refuses a host name that resolves to loopback, before any connection', async () => {
    const { port, stats } = await loopback();
    const lookup = lookupTo('127.0.0.1');
    await expect(vetTarget(`http://hooks.localtest.me:${port}/x`, { allowPrivate: false, lookup })).rejects.toThrow(/loopback/);
    expect(lookup.calls).toEqual(['hooks.localtest.me']);
    expect(stats.connections).toBe(0);
  });

  it('refuses a host name when any one of its addresses is private', async () => {
    const lookup = lookupTo('93.184.216.34', '10.1.2.3');
    await expect(vetTarget('https://mixed.example.test/x', { allowPrivate: false, lookup })).rejects.toThrow(/private/);
  });

  it('refuses a host name that resolves to an IPv4-mapped address', async () => {
    await expect(vetTarget('https://mapped.example.test/', { allowPrivate: false, lookup: lookupTo('::ffff:192.168.0.1') })).rejects.toThrow(/IPv4-mapped/);
  });

  it('refuses non-http schemes, credentials and names that do not resolve', async () => {
    await expect(vetTarget('ftp://example.com/x', { allowPrivate: true })).rejects.toThrow(/http or https/);
    await expect(vetTarget('file:///etc/passwd', { allowPrivate: true })).rejects.toThrow(/http or https/);
    await expect(vetTarget('https://user:pw@example.com/x', { allowPrivate: false, lookup: lookupTo('93.184.216.34') })).rejects.toThrow(/credentials/);
    await expect(vetTarget('https://nowhere.invalid/x', { allowPrivate: false, lookup: lookupTo() })).rejects.toThrow(/does not resolve/);
  });

  it('accepts a public address and returns it as the one to connect to', async () => {
    const vetted = await vetTarget('https://hooks.example.com/ihf', { allowPrivate: false, lookup: lookupTo('93.184.216.34') });
    expect(vetted).toMatchObject({ address: '93.184.216.34', family: 4 });
  });

  it('lets WEBHOOK_ALLOW_PRIVATE_TARGETS lift the guard', async () => {
    await expect(vetTarget('http://127.0.0.1:1/x', { allowPrivate: true })).resolves.toMatchObject({ address: '127.0.0.1' });
  });
});

describe('sender', () => {
  it('connects to the vetted address, not to a fresh DNS answer, and keeps the Host header', async () => {
    const { port, stats } = await loopback();
    const vetted = await vetTarget(`http://hooks.example.test:${port}/in`, { allowPrivate: true, lookup: lookupTo('127.0.0.1') });
    const result = await sendWebhook({ target: vetted, headers: { 'content-type': 'application/json' }, body: '{}', timeoutMs: 2000, maxBodyBytes: 100 });
    expect(result).toMatchObject({ status: 200, body: 'ok', error: null });
    expect(stats.requests).toEqual([{ host: `hooks.example.test:${port}`, url: '/in' }]);
  });

  it('does not follow redirects', async () => {
    const other = await loopback();
    const { port } = await loopback((_q, s) => s.writeHead(302, { location: `http://127.0.0.1:${other.port}/stolen` }).end());
    const target = await vetTarget(`http://127.0.0.1:${port}/`, { allowPrivate: true });
    const result = await sendWebhook({ target, headers: {}, body: '{}', timeoutMs: 2000, maxBodyBytes: 100 });
    expect(result.status).toBe(302);
    expect(other.stats.connections).toBe(0);
  });

  it('keeps only the first bytes of a large answer', async () => {
    const { port } = await loopback((_q, s) => s.writeHead(500).end('x'.repeat(200_000)));
    const target = await vetTarget(`http://127.0.0.1:${port}/`, { allowPrivate: true });
    const result = await sendWebhook({ target, headers: {}, body: '{}', timeoutMs: 2000, maxBodyBytes: 4096 });
    expect(result.status).toBe(500);
    expect(result.body).toHaveLength(4096);
  });

  it('gives up on a hanging receiver at the deadline', async () => {
    const { port } = await loopback(() => {});
    const target = await vetTarget(`http://127.0.0.1:${port}/`, { allowPrivate: true });
    const started = Date.now();
    const result = await sendWebhook({ target, headers: {}, body: '{}', timeoutMs: 300, maxBodyBytes: 10 });
    expect(result).toMatchObject({ status: null, error: 'timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as an error, not a throw', async () => {
    const { port } = await loopback();
    servers[0]!.close();
    servers[0]!.closeAllConnections();
    await new Promise((r) => setTimeout(r, 50));
    const target = await vetTarget(`http://127.0.0.1:${port}/`, { allowPrivate: true });
    const result = await sendWebhook({ target, headers: {}, body: '{}', timeoutMs: 1000, maxBodyBytes: 10 });
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/ECONNREFUSED/);
  });
});
