// Over 300 lines: the refused-target tables (~300 forms) are data, kept beside the tests that walk them.
// Runs inside a loopback-only network namespace (scripts/test.mjs). The SSRF guard and the
// sender are tested as units, fed an injected DNS lookup and loopback receivers; the API
// and the worker are tested against an embedded PostgreSQL started on this namespace's
// loopback (the netns project has no shared database).
import { lookup as systemLookup } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSql } from '../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded.js';
import { migrateUp } from '../src/db/migrate.js';
import { createLogger } from '../src/logger.js';
import { createSecretBox } from '../src/lib/secret-box.js';
import { generateWebhookSecret } from '../src/webhooks/delivery/signer.js';
import { sendWebhook } from '../src/webhooks/delivery/sender.js';
import { refusalFor, UnsafeTargetError, vetTarget, type LookupFn } from '../src/webhooks/delivery/ssrf.js';
import { startWebhookWorker, type WebhookWorker } from '../src/webhooks/worker/worker.js';
import { readProblem, startTestServer, type TestServer } from './support/harness.js';

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

/**
 * A listener on every loopback address of this namespace (127.0.0.1, ::1 and the mapped
 * forms on one port) that counts connections: a refused target must never reach it.
 */
async function trap() {
  const server = createServer((_q, s) => s.writeHead(200).end('reached'));
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '::', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/**
 * Target URLs whose host is, or WHATWG URL normalises to, a non-public address literal.
 * `{port}` is the trap's port, so a guard that let one through would be caught connecting.
 */
const DISGUISED_LITERAL_TARGETS = [
  // IPv4 in decimal, octal, hex, mixed and short forms, padded, and with a trailing dot
  'http://2130706433:{port}/hook', 'http://017700000001:{port}/hook', 'http://0x7f000001:{port}/hook', 'http://0x7f.1:{port}/hook',
  'http://0x7F.0.0.1:{port}/hook', 'http://0177.0.0.01:{port}/hook', 'http://127.1:{port}/hook', 'http://127.0.1:{port}/hook',
  'http://127.000.000.001:{port}/hook', 'http://127.0.0.1.:{port}/hook', 'http://0:{port}/hook', 'http://0.0.0.0:{port}/hook',
  'http://0x0:{port}/hook', 'http://0.1.2.3/hook', 'http://167772161/hook', 'http://0xa9fea9fe/latest/meta-data/',
  // encoded or full-width digits, backslashes, tabs and a missing slash that WHATWG URL repairs
  'http://%31%32%37.0.0.1:{port}/hook', 'http://１２７．０．０．１:{port}/hook', 'http:\\\\127.0.0.1:{port}\\hook', 'http:/127.0.0.1:{port}/hook',
  'http://127.0.0.1\t:{port}/hook', 'HTTP://127.0.0.1:{port}/hook', 'http://127.0.0.1:{port}#@hooks.example.com/', 'http://127.0.0.1:{port}?@hooks.example.com/',
  'http://127.0.0.1:{port}/@hooks.example.com/',
  // IPv6 loopback and unspecified spelled out; IPv4-mapped, IPv4-compatible and SIIT forms
  'http://[::]:{port}/hook', 'http://[0:0:0:0:0:0:0:1]:{port}/hook', 'http://[::0001]:{port}/hook', 'http://[0000::1]:{port}/hook',
  'http://[::ffff:7f00:1]:{port}/hook', 'http://[::ffff:127.0.0.1]:{port}/hook', 'http://[::FFFF:7F00:0001]:{port}/hook',
  'http://[::127.0.0.1]:{port}/hook', 'http://[::ffff:0:127.0.0.1]:{port}/hook', 'http://[::ffff:169.254.169.254]/latest/meta-data/',
  // NAT64 (well-known and local-use), 6to4 and Teredo wrapping private IPv4 addresses
  'http://[64:ff9b::127.0.0.1]/hook', 'http://[64:ff9b::a9fe:a9fe]/latest/meta-data/', 'http://[64:ff9b:1::10.0.0.1]/hook',
  'http://[2002:7f00:1::]/hook', 'http://[2002:a00:1::1]/hook', 'http://[2002:c0a8:101::1]/hook', 'http://[2001:0::1]/hook',
  'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook',
  // unique-local, site-local, link-local, multicast, broadcast
  'http://[fc00::1]/hook', 'http://[fd00::]/hook', 'http://[fec0::1]/hook', 'http://[fe80::1]/hook', 'http://[ff02::1]/hook',
  'http://224.0.0.1/hook', 'http://239.255.255.250:1900/hook', 'http://255.255.255.255/hook',
  // CGNAT, benchmarking, IETF protocol assignments, TEST-NETs, class E, documentation IPv6
  'http://100.64.0.1/hook', 'http://198.18.0.1/hook', 'http://192.0.0.1/hook', 'http://192.0.2.1/hook', 'http://198.51.100.1/hook',
  'http://203.0.113.1/hook', 'http://240.0.0.1/hook', 'http://[2001:db8::1]/hook', 'http://[3fff::1]/hook',
  // private addresses on the ports of services that usually sit behind them
  'https://127.0.0.1:22/', 'http://[::1]:6379/', 'http://10.0.0.1:5432/', 'http://172.16.0.1:2375/containers/json', 'http://192.168.0.1:8080/',
];

/** localhost names (RFC 6761), refused by name before any lookup. */
const LOCALHOST_TARGETS = [
  'http://localhost:{port}/hook', 'http://LOCALHOST:{port}/hook', 'http://localhost.:{port}/hook', 'http://LocalHost.:{port}/hook',
  'http://hooks.localhost:{port}/hook', 'http://a.b.LOCALHOST.:{port}/hook', 'http://ｌｏｃａｌｈｏｓｔ:{port}/hook',
];

/** Credentials in the URL, including the classic "public name @ private address" trick. */
const USERINFO_TARGETS = [
  'http://hooks.example.com@127.0.0.1:{port}/hook', 'http://hooks.example.com:443@127.0.0.1:{port}/hook',
  'http://127.0.0.1:{port}@hooks.example.com/hook', 'http://127.0.0.1%2f@hooks.example.com/hook', 'http://%40@[::1]:{port}/hook',
  'http://user:pass@hooks.example.com/hook',
];

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

  // Everything that is not globally routable unicast (IANA IPv4/IPv6 special-purpose
  // registries, RFC 6890), including the documentation and reserved blocks.
  it.each([
    // IPv4: this network, loopback beyond .1, IETF protocol assignments, TEST-NETs, 6to4 relay, benchmarking, class E, multicast
    '0.255.255.255', '127.0.0.2', '127.255.255.255', '100.127.255.255', '192.0.0.1', '192.0.0.170', '192.0.2.1', '198.51.100.7',
    '203.0.113.9', '192.88.99.1', '198.19.255.255', '224.0.0.251', '233.252.0.1', '255.255.255.254',
    // IPv6 loopback and unspecified spelled out
    '0:0:0:0:0:0:0:1', '::0001', '0000:0000:0000:0000:0000:0000:0000:0000',
    // IPv4-compatible (deprecated ::/96) and SIIT (::ffff:0:0:0/96) forms of private addresses
    '::7f00:1', '::a00:1', '::127.0.0.1', '::ffff:0:7f00:1', '::ffff:a9fe:a9fe',
    // NAT64 well-known and local-use prefixes, 6to4 and Teredo carrying private IPv4 addresses
    '64:ff9b::a9fe:a9fe', '64:ff9b::10.0.0.1', '64:ff9b:1::c0a8:1', '2002:a00:1::1', '2002:c0a8:101::', '2002:a9fe:a9fe::',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001::1',
    // link-local with zone ids, unique-local, site-local, multicast scopes
    'fe80::1%lo', 'fe80::abcd%25eth0', 'febf::1', 'fd12:3456:789a::1', 'fdff:ffff::1', 'fec0::1', 'feff::1', 'ff01::1', 'ff05::2', 'ff0e::1',
    // discard, benchmarking, ORCHID, documentation (2001:db8::/32, 3fff::/20), SRv6 SIDs
    '100::1', '2001:2::1', '2001:10::1', '2001:20::1', '2001:db8:85a3::8a2e:370:7334', '3fff::1', '5f00::1',
    // outside 2000::/3, which is all IANA allocates for global unicast
    '::2', '1::1', '4000::1', 'e000::1',
    // not an address at all
    'not-an-address', '',
  ])('refuses the special-purpose or disguised address %s', (address) => {
    expect(refusalFor(address)).not.toBeNull();
  });

  it.each([
    '93.184.216.34', '8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '9.9.9.9', '2001:4860:4860::8888',
    '2c0f:fb50:4003::1',
  ])('accepts public %s', (address) => {
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
    await expect(vetTarget(`http://hooks.localtest.me:${port}/x`, { allowPrivate: false, lookup })).rejects.toThrow(/resolves to a non-public address$/);
    expect(lookup.calls).toEqual(['hooks.localtest.me']);
    expect(stats.connections).toBe(0);
  });

  // For a host name the refusal names neither the address nor the resolver's answer: the
  // caller could otherwise map a private network's names and addresses through it.
  it('refuses a host name when any one of its addresses is private, without saying which', async () => {
    const lookup = lookupTo('93.184.216.34', '10.1.2.3');
    const refusal = vetTarget('https://mixed.example.test/x', { allowPrivate: false, lookup });
    await expect(refusal).rejects.toThrow('target mixed.example.test is refused: it resolves to a non-public address');
  });

  it('refuses a host name that resolves to an IPv4-mapped address', async () => {
    const refusal = vetTarget('https://mapped.example.test/', { allowPrivate: false, lookup: lookupTo('::ffff:192.168.0.1') });
    await expect(refusal).rejects.toThrow('target mapped.example.test is refused: it resolves to a non-public address');
  });

  it('names the reason for an address literal, which the caller already knows', async () => {
    await expect(vetTarget('http://[::ffff:192.168.0.1]/', { allowPrivate: false })).rejects.toThrow(/IPv4-mapped address/);
    await expect(vetTarget('http://10.1.2.3/', { allowPrivate: false })).rejects.toThrow(/private address 10\.1\.2\.3/);
  });

  it('refuses non-http schemes, credentials and names that do not resolve', async () => {
    await expect(vetTarget('ftp://example.com/x', { allowPrivate: true })).rejects.toThrow(/http or https/);
    await expect(vetTarget('file:///etc/passwd', { allowPrivate: true })).rejects.toThrow(/http or https/);
    await expect(vetTarget('https://user:pw@example.com/x', { allowPrivate: false, lookup: lookupTo('93.184.216.34') })).rejects.toThrow(/credentials/);
    await expect(vetTarget('https://nowhere.invalid/x', { allowPrivate: false, lookup: lookupTo() })).rejects.toThrow(/^target host nowhere\.invalid does not resolve$/);
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

const withPort = (url: string, port: number) => url.replaceAll('{port}', String(port));

describe('SSRF guard: disguised targets', () => {
  let t: Awaited<ReturnType<typeof trap>>;
  beforeAll(async () => {
    t = await trap();
  });
  afterAll(() => t.close());

  it.each(DISGUISED_LITERAL_TARGETS)('refuses %s as an address, without resolving or connecting', async (url) => {
    const lookup = lookupTo('93.184.216.34');
    await expect(vetTarget(withPort(url, t.port), { allowPrivate: false, lookup })).rejects.toMatchObject({ reason: 'address' });
    expect(lookup.calls).toEqual([]);
    expect(t.connections()).toBe(0);
  });

  it.each(LOCALHOST_TARGETS)('refuses the localhost name in %s without asking a resolver', async (url) => {
    const lookup = lookupTo('93.184.216.34');
    await expect(vetTarget(withPort(url, t.port), { allowPrivate: false, lookup })).rejects.toThrow(/localhost name/);
    // Nor the system resolver, which would send `localhost.` and `*.localhost` to DNS.
    await expect(vetTarget(withPort(url, t.port), { allowPrivate: false })).rejects.toMatchObject({ reason: 'address' });
    expect(lookup.calls).toEqual([]);
    expect(t.connections()).toBe(0);
  });

  it.each(USERINFO_TARGETS)('refuses credentials in %s', async (url) => {
    const lookup = lookupTo('93.184.216.34');
    await expect(vetTarget(withPort(url, t.port), { allowPrivate: false, lookup })).rejects.toMatchObject({ reason: 'credentials' });
    expect(lookup.calls).toEqual([]);
  });

  it('refuses a link-local literal with a zone id (not a URL for WHATWG)', async () => {
    await expect(vetTarget('http://[fe80::1%25lo]/hook', { allowPrivate: false, lookup: lookupTo('93.184.216.34') })).rejects.toBeInstanceOf(UnsafeTargetError);
  });

  it.each([
    [['::7f00:1']], [['::ffff:7f00:1']], [['::ffff:0:a00:1']], [['64:ff9b::a9fe:a9fe']], [['64:ff9b:1::a00:1']], [['2002:a9fe:a9fe::1']],
    [['2001:0:4136:e378:8000:63bf:3fff:fdd2']], [['fe80::1%lo']], [['fd00::1']], [['fec0::1']], [['ff02::1']], [['::']], [['0.0.0.0']],
    [['0.1.2.3']], [['255.255.255.255']], [['224.0.0.1']], [['100.64.0.1']], [['198.18.0.1']], [['192.0.2.1']], [['192.0.0.9']],
    [['2001:db8::1']], [['not-an-address']],
    // one private answer among public ones is enough, whatever its place or family
    [['93.184.216.34', '127.0.0.1']], [['127.0.0.1', '93.184.216.34']], [['93.184.216.34', '10.0.0.1', '8.8.8.8']],
    [['2606:4700:4700::1111', 'fd00::1']], [['93.184.216.34', '::1']], [['93.184.216.34', '::ffff:192.168.0.1']],
  ])('refuses a host name whose answer is %j', async (answer) => {
    const lookup = lookupTo(...answer);
    await expect(vetTarget(`http://hooks.example.test:${t.port}/hook`, { allowPrivate: false, lookup })).rejects.toMatchObject({ reason: 'address' });
    expect(lookup.calls).toEqual(['hooks.example.test']);
    expect(t.connections()).toBe(0);
  });

  it.each([
    ['http://HOOKS.Example.TEST:{port}/hook', 'hooks.example.test'],
    ['http://hooks.example.test.:{port}/hook', 'hooks.example.test.'],
    ['http://bücher.example:{port}/hook', 'xn--bcher-kva.example'],
    ['http://BÜCHER.example.:{port}/hook', 'xn--bcher-kva.example.'],
    ['http://hooks。example。test:{port}/hook', 'hooks.example.test'],
    ['http://%68ooks.example.test:{port}/hook', 'hooks.example.test'],
  ])('resolves %s as %s and refuses its loopback answer', async (url, name) => {
    const lookup = lookupTo('127.0.0.1', '::1');
    await expect(vetTarget(withPort(url, t.port), { allowPrivate: false, lookup })).rejects.toThrow(/resolves to a non-public address$/);
    expect(lookup.calls).toEqual([name]);
    expect(t.connections()).toBe(0);
  });
});

/** Subscribing to a topic needs the read scope of its records. */
const SUBSCRIBER_SCOPES = ['annotations:read', 'webhooks:manage'] as const;

/** Host names the worker's resolver answers with a private or disguised address (any other name does not resolve). */
const DELIVERY_TIME_ANSWERS: Record<string, string[]> = {
  'loopback.rebind.test': ['127.0.0.1'],
  'loopback6.rebind.test': ['::1'],
  'mapped.rebind.test': ['::ffff:7f00:1'],
  'compat.rebind.test': ['::7f00:1'],
  'nat64.rebind.test': ['64:ff9b::a9fe:a9fe'],
  'nat64-local.rebind.test': ['64:ff9b:1::a00:1'],
  '6to4.rebind.test': ['2002:c0a8:101::1'],
  'teredo.rebind.test': ['2001:0:4136:e378:8000:63bf:3fff:fdd2'],
  'link-local.rebind.test': ['fe80::1%lo'],
  'metadata.rebind.test': ['169.254.169.254'],
  'ula.rebind.test': ['fd00::1'],
  'cgnat.rebind.test': ['100.64.0.1'],
  'multicast.rebind.test': ['224.0.0.1'],
  'this-network.rebind.test': ['0.0.0.0'],
  'test-net.rebind.test': ['192.0.2.1'],
  'public-then-private.rebind.test': ['93.184.216.34', '10.0.0.1'],
  'private-then-public.rebind.test': ['192.168.1.1', '93.184.216.34'],
  'xn--bcher-kva.rebind.test': ['127.0.0.1'],
};

describe('SSRF guard through the API and the worker', () => {
  let dataDir: string;
  let pg: EmbeddedDatabase;
  let server: TestServer;
  let worker: WebhookWorker;
  let listener: Awaited<ReturnType<typeof trap>>;
  const asked: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ihf-netns-pg-'));
    pg = await startEmbeddedPostgres(dataDir, { info: () => {}, warn: () => {} }, { persistent: false });
    await migrateUp(pg.url);
    const sql = createSql(pg.url, { max: 10 });
    server = await startTestServer({
      database: { url: pg.url, sql, drop: () => sql.end({ timeout: 5 }) },
      env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false', WEBHOOK_RETRY_SCHEDULE: '0', WEBHOOK_TIMEOUT_MS: '500' },
    });
    worker = await startWebhookWorker({
      config: server.config,
      databaseUrl: pg.url,
      logger: createLogger('silent'),
      pollIntervalMs: 100,
      lookup: async (host) => {
        asked.push(host);
        const answer = DELIVERY_TIME_ANSWERS[host];
        if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
        return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
    });
    listener = await trap();
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.close();
    await server?.db.drop();
    await listener?.close();
    await pg?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([...DISGUISED_LITERAL_TARGETS, ...LOCALHOST_TARGETS])('answers 422 to a subscription to %s', async (raw) => {
    const target_url = withPort(raw, listener.port);
    const { key, consumerId } = await server.consumerWithKey([...SUBSCRIBER_SCOPES]);
    const res = await server.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url });
    expect(res.status).toBe(422);
    const problem = await readProblem(res);
    expect(problem.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/target_url', code: 'unsafe_target_address' })]);
    const [row] = await server.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE api_consumer_id = ${consumerId}`;
    expect(row!.n).toBe(0);
    expect(listener.connections()).toBe(0);
  });

  it.each(USERINFO_TARGETS)('answers 422 to a subscription to %s (credentials)', async (raw) => {
    const { key } = await server.consumerWithKey([...SUBSCRIBER_SCOPES]);
    const res = await server.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: withPort(raw, listener.port) });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/target_url', code: 'unsafe_target_credentials' })]);
  });

  it('answers 422 to a host name that the system resolver maps to loopback (the machine name, from /etc/hosts)', async (ctx) => {
    // The API's own resolver, no injected lookup: the name never reaches DNS (the hosts file answers).
    const name = hostname();
    const answers = await systemLookup(name, { all: true }).catch(() => []);
    if (answers.length === 0 || !answers.every((a) => refusalFor(a.address)?.startsWith('loopback'))) {
      ctx.skip(); // a machine whose name does not resolve to loopback: nothing to show here
      return;
    }
    const { key, consumerId } = await server.consumerWithKey([...SUBSCRIBER_SCOPES]);
    const res = await server.as(key, 'POST', '/api/v2/webhook-subscriptions', { event_type: 'annotation.created', target_url: `http://${name}:${listener.port}/hook` });
    expect(res.status).toBe(422);
    expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/target_url', code: 'unsafe_target_address' })]);
    const [row] = await server.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE api_consumer_id = ${consumerId}`;
    expect(row!.n).toBe(0);
    expect(listener.connections()).toBe(0);
  });

  it('answers 422 to an update that points a subscription at a disguised private address', async () => {
    const { key, consumerId } = await server.consumerWithKey([...SUBSCRIBER_SCOPES]);
    const id = await storedSubscription(consumerId, 'https://hooks.example.com/ihf');
    for (const target_url of ['http://0x7f.1/x', 'http://[::127.0.0.1]/x', 'http://localhost./x', 'http://[64:ff9b::10.0.0.1]/x']) {
      const res = await server.as(key, 'PATCH', `/api/v2/webhook-subscriptions/${id}`, { target_url });
      expect(res.status, target_url).toBe(422);
      expect((await readProblem(res)).errors).toEqual([expect.objectContaining({ pointer: '/target_url', code: 'unsafe_target_address' })]);
    }
    const [row] = await server.sql<{ target_url: string }[]>`SELECT target_url FROM webhook_subscriptions WHERE id = ${id}`;
    expect(row!.target_url).toBe('https://hooks.example.com/ihf');
    await server.sql`DELETE FROM webhook_subscriptions WHERE id = ${id}`;
  });

  /** A subscription stored as if made while its target was allowed (it resolved publicly then). */
  async function storedSubscription(consumerId: string, targetUrl: string): Promise<string> {
    const sealed = createSecretBox(server.config.IHF_SECRET_KEY!).seal(generateWebhookSecret());
    const [sub] = await server.sql<{ id: string }[]>`
      INSERT INTO webhook_subscriptions (api_consumer_id, event_type, target_url, secret)
      VALUES (${consumerId}, 'annotation.created', ${targetUrl}, ${sealed}) RETURNING id`;
    return sub!.id;
  }

  it.concurrent.each([
    ...Object.keys(DELIVERY_TIME_ANSWERS).map((host) => `http://${host}:{port}/hook`),
    'http://BÜCHER.rebind.test:{port}/hook',
    'http://0x7f.1:{port}/hook',
    'http://[::127.0.0.1]:{port}/hook',
    'http://[::ffff:7f00:1]:{port}/hook',
    'http://127.0.0.1.:{port}/hook',
    'http:\\\\127.0.0.1:{port}\\hook',
    'http://localhost.:{port}/hook',
  ])('refuses at delivery time %s, logging the refusal without connecting', async (raw) => {
    const { key, consumerId } = await server.consumerWithKey([...SUBSCRIBER_SCOPES]);
    const id = await storedSubscription(consumerId, withPort(raw, listener.port));
    expect((await server.as(key, 'POST', `/api/v2/webhook-subscriptions/${id}/test`)).status).toBe(202);
    let log: { status: string; response_code: number | null; error_message: string | null }[] = [];
    for (let i = 0; i < 200 && log.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      log = ((await (await server.as(key, 'GET', `/api/v2/webhook-subscriptions/${id}/deliveries`)).json()) as { data: typeof log }).data;
    }
    expect(log).toEqual([expect.objectContaining({ status: 'failed', response_code: null, error_message: expect.stringMatching(/^refused: target .* is refused: /) })]);
    const host = new URL(withPort(raw, listener.port)).hostname;
    if (DELIVERY_TIME_ANSWERS[host]) {
      expect(asked).toContain(host);
      // The log is the consumer's to read: it does not give away what the name resolved to.
      for (const address of DELIVERY_TIME_ANSWERS[host]) expect(log[0]!.error_message).not.toContain(address);
    }
    expect(listener.connections()).toBe(0);
  });
});
