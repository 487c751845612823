// What authentication, rate limiting and the request log cost: GET /api/v2/me on a limited
// and a bare instance of the real app, in alternating rounds. Method and figures: bench/README.md.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { createApp } from '../apps/server/src/app.js';
import { loadConfig } from '../apps/server/src/config.js';
import { createSql } from '../apps/server/src/db/client.js';
import { createLogger } from '../apps/server/src/logger.js';
import { listen } from '../apps/server/src/server.js';
import { benchDatabase } from './lib/database.js';

const ROUND_S = 4;
const ROUNDS = 5;
const WARMUP_S = 2;
const CONNECTIONS = 32;

const env = loadConfig();
const database = await benchDatabase();
const sql = createSql(database.url, { max: 10 });

const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  IHF_ADMIN_TOKEN: adminToken,
  BURST_THRESHOLD: '1000000',
  ...(env.REDIS_URL ? { REDIS_URL: env.REDIS_URL } : {}),
});
const logger = createLogger('silent');

const limitedApp = createApp({ config, sql, logger });
await limitedApp.services.traffic.ready();
const limitedServer = await listen(limitedApp.app, 0, '127.0.0.1');

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(limitedServer.url + path, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, string>;
}
const consumer = await call('POST', '/api/v2/admin/consumers', {
  name: 'bench',
  tier: 'enterprise',
  rate_limit_per_minute: 1_000_000,
  quota_per_day: 1_000_000_000,
});
const { key } = await call('POST', `/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: ['usage:read'] });

// The bare instance: same app, with authentication, limits and the request log off.
const bareApp = createApp({ config: { ...config, REDIS_URL: undefined }, sql, logger });
const fixedAuth = await bareApp.services.authenticator.authenticate(`Bearer ${key}`);
bareApp.services.authenticator.authenticate = async () => fixedAuth;
bareApp.services.traffic.limiter.check = async () => ({ admitted: true, states: [], policyHeader: '' });
bareApp.services.traffic.requestLog.record = () => {};
const bareServer = await listen(bareApp.app, 0, '127.0.0.1');

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  total: number;
  /** CPU time this process (both servers, nothing else) spent per request, in µs. */
  cpuPerRequest: number;
}

const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/**
 * autocannon runs in its own process, so this process's CPU time during a round is the
 * server's alone: CPU per request is steadier than req/s when the machine is shared.
 */
async function load(url: string, seconds: number, after?: () => Promise<void>): Promise<Figures> {
  const before = process.cpuUsage();
  const child = spawn(
    process.execPath,
    [autocannonCli, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), '-H', `authorization=Bearer ${key}`, `${url}/api/v2/me`],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('exit', resolve));
  await after?.();
  const cpu = process.cpuUsage(before);
  const result = JSON.parse(out) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
  };
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    total: result.requests.total,
    cpuPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
  };
}

await load(bareServer.url, WARMUP_S);
await load(limitedServer.url, WARMUP_S);
await new Promise((r) => setTimeout(r, 500));
await limitedApp.services.traffic.requestLog.flush();
const writtenBefore = limitedApp.services.traffic.requestLog.stats().written;

const bare: Figures[] = [];
const limited: Figures[] = [];
const store = limitedApp.services.traffic.limiter.store;
let storeHealthy = store.healthy();
const watch = setInterval(() => (storeHealthy &&= store.healthy()), 100);
const flushLog = () => limitedApp.services.traffic.requestLog.flush();
for (let round = 0; round < ROUNDS; round++) {
  bare.push(await load(bareServer.url, ROUND_S));
  limited.push(await load(limitedServer.url, ROUND_S, flushLog));
}
clearInterval(watch);
await limitedApp.services.traffic.requestLog.flush();
const written = limitedApp.services.traffic.requestLog.stats().written - writtenBefore;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const mean = (xs: Figures[], k: keyof Figures) => xs.reduce((n, x) => n + x[k], 0) / xs.length;
const rpsRatio = median(limited.map((l, i) => l.rps / bare[i]!.rps));
const p99Ratio = median(limited.map((l, i) => l.p99 / bare[i]!.p99));
const cpuRatio = median(limited.map((l, i) => l.cpuPerRequest / bare[i]!.cpuPerRequest));
const sent = limited.reduce((n, x) => n + x.total, 0);
const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
const line = (name: string, xs: Figures[]) =>
  `  ${name.padEnd(34)} ${fmt(mean(xs, 'rps')).padStart(6)} req/s   p50 ${fmt(mean(xs, 'p50'))} ms   p99 ${fmt(mean(xs, 'p99'))} ms   server CPU ${fmt(mean(xs, 'cpuPerRequest'))} µs/req   non-2xx ${mean(xs, 'non2xx')}`;

console.log(`traffic-limits: GET /api/v2/me, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_S} s per variant`);
console.log(line('bare (auth, limits, log off)', bare));
console.log(line('authenticated + limited + logged', limited));
console.log(`  per round (limited/bare req/s): ${limited.map((l, i) => (l.rps / bare[i]!.rps).toFixed(2)).join(' ')}`);
console.log(`  throughput ratio ${rpsRatio.toFixed(3)} (target >= 0.85)   p99 ratio ${p99Ratio.toFixed(3)} (target <= 1.3)`);
console.log(`  server CPU per request, limited/bare: ${cpuRatio.toFixed(3)} (so a CPU-bound replica's throughput ratio is about ${(1 / cpuRatio).toFixed(3)})`);
console.log(`  request log: ${written} rows written for ${sent} measured requests (+ in-flight warm-up), ${limitedApp.services.traffic.requestLog.stats().batches} batches in all`);
console.log(
  `  counter store: ${store.kind}${config.REDIS_URL ? (storeHealthy ? ', reachable throughout' : ', NOT reachable throughout: the in-process insurance counted') : ' (set REDIS_URL to measure with Redis)'}`,
);

await bareServer.stop(1000);
await limitedServer.stop(1000);
await bareApp.services.traffic.close();
await limitedApp.services.traffic.close();
await sql.end({ timeout: 5 });
await database.drop();
process.exit(0);
