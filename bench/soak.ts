// Soak: one server built and run as production runs it (the tsup bundle, `node
// dist/main.js`, NODE_ENV=production, LOG_LEVEL=info, API and webhook worker in one
// process), under mixed traffic at a fixed rate for SOAK_SECONDS (60): reads (GET /me,
// a page of interaction events), single record writes, batch ingest of 10 events, and the
// webhooks all those writes fan out to a receiver on loopback (a child process of its own).
// Open loop: requests leave on schedule whether or not earlier ones were answered, so a
// slow server shows as latency and errors, not as a lower rate.
// Reports errors, latency p50/p99, the server's event-loop delay p99 (its /metrics, one
// scrape a second: prom-client resets the histogram on each) and its resident memory
// (/proc/<pid>/status) idle, over the first and the last 10 s, and at its peak.
// SOAK_SECONDS and SOAK_RATE (requests/s, 300) change the run; run it alone.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { benchDatabase } from './lib/database.js';
import { IMAGE_NODE_FLAGS } from './lib/production-server.js';
import { startReceiver } from './lib/receiver-process.js';
import { events, percentile } from './lib/webhooks-db.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const RATE = Number(process.env.SOAK_RATE ?? 300);
const BATCH = 10;
const WINDOW_S = Math.min(10, SECONDS / 3);
const serverDir = fileURLToPath(new URL('../apps/server/', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));

// The image's build step (Dockerfile): the tsup bundle the container runs.
const build = spawnSync('pnpm', ['--filter', '@ihf/server', 'build'], { cwd: repoDir, stdio: ['ignore', 'ignore', 'inherit'] });
if (build.status !== 0) throw new Error('pnpm --filter @ihf/server build failed');

const database = await benchDatabase();
const receiver = await startReceiver();
const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;
// The image's node flags (Dockerfile CMD); SOAK_NODE_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
const nodeArgs = (process.env.SOAK_NODE_ARGS ?? '').split(' ').filter(Boolean);
const child = spawn(process.execPath, [...IMAGE_NODE_FLAGS, ...nodeArgs, 'dist/main.js'], {
  cwd: serverDir,
  env: {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    IHF_ADMIN_TOKEN: adminToken,
    IHF_SECRET_KEY: randomBytes(32).toString('base64'),
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    MIGRATIONS_DIR: `${repoDir}migrations`,
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
// Every request writes an access line (LOG_LEVEL=info, as in production): counted, not parsed.
const logged = { lines: 0, warnings: [] as string[] };
let serverUrl = '';
let tail = '';
const listening = new Promise<void>((resolve, reject) => {
  child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (tail + chunk.toString()).split('\n');
    tail = lines.pop()!;
    for (const line of lines) {
      logged.lines++;
      if (/"level":(40|50|60)/.test(line) && logged.warnings.length < 20) logged.warnings.push(line.slice(0, 300));
      if (!serverUrl && line.includes('IHF External API listening')) {
        serverUrl = (JSON.parse(line) as { url: string }).url;
        resolve();
      }
    }
  });
});

const rss = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const mib = (x: number) => `${x.toFixed(0)} MiB`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const agent = new Agent({ keepAlive: true, maxSockets: 256 });
interface Result {
  kind: string;
  status: number;
  ms: number;
}
function call(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    const req = request(
      serverUrl + path,
      {
        method,
        agent,
        timeout: 10_000,
        headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
    req.end(payload);
  });
}

try {
  await listening;
  const idleRss = rss();
  const consumer = JSON.parse(
    (
      await call('POST', '/api/v2/admin/consumers', adminToken, {
        name: 'soak',
        tier: 'enterprise',
        rate_limit_per_minute: 1_000_000,
        quota_per_day: 1_000_000_000,
        burst_threshold: 1_000_000,
      })
    ).body,
  ) as { id: string };
  const { key } = JSON.parse(
    (await call('POST', `/api/v2/admin/consumers/${consumer.id}/keys`, adminToken, { scopes: ['interaction-events:write', 'interaction-events:read', 'webhooks:manage'] })).body,
  ) as { key: string };
  const sub = await call('POST', '/api/v2/webhook-subscriptions', key, { event_type: 'interaction_event.created', target_url: receiver.url });
  if (sub.status !== 201) throw new Error(`subscription: ${sub.status} ${sub.body}`);
  await receiver.reset();

  // Of every 10 requests: 6 reads, 3 single writes, 1 batch of 10 (each event one webhook).
  const mix = ['me', 'list', 'me', 'list', 'me', 'list', 'write', 'write', 'write', 'batch'] as const;
  const results: Result[] = [];
  const samples: { at: number; rss: number; lagP99?: number; waiting?: number }[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let sent = 0;
  let writes = 0;
  let nextSample = 0;
  while (performance.now() - start < SECONDS * 1000) {
    const due = Math.floor(((performance.now() - start) / 1000) * RATE);
    for (; sent < due; sent++) {
      const kind = mix[sent % mix.length]!;
      const t0 = performance.now();
      const p =
        kind === 'me'
          ? call('GET', '/api/v2/me', key)
          : kind === 'list'
            ? call('GET', '/api/v2/interaction-events?limit=20', key)
            : kind === 'write'
              ? call('POST', '/api/v2/interaction-events', key, events(1, `soak-${sent}`)[0])
              : call('POST', '/api/v2/interaction-events/batch', key, { events: events(BATCH, `soak-${sent}`) });
      if (kind === 'write') writes += 1;
      if (kind === 'batch') writes += BATCH;
      const done = p.then(({ status }) => {
        results.push({ kind, status, ms: performance.now() - t0 });
        inFlight.delete(done);
      });
      inFlight.add(done);
    }
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= nextSample) {
      nextSample += 1;
      const at = elapsed;
      const sample: (typeof samples)[number] = { at, rss: rss() };
      samples.push(sample);
      void call('GET', '/metrics', key).then(({ body }) => {
        const m = /^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(body);
        if (m) sample.lagP99 = Number(m[1]) * 1000;
        const w = /^ihf_db_pool_waiting_queries\{pool="api"\} (\S+)$/m.exec(body);
        if (w) sample.waiting = Number(w[1]);
      });
    }
    await sleep(5);
  }
  await Promise.all(inFlight);
  const deliveredBy = Date.now() + 30_000;
  while ((await receiver.stats()).received < writes && Date.now() < deliveredBy) await sleep(200);
  const delivered = (await receiver.stats()).received;

  const errors: Record<string, number> = {};
  for (const r of results) if (r.status < 200 || r.status >= 300) errors[`${r.kind} ${r.status || 'no answer'}`] = (errors[`${r.kind} ${r.status || 'no answer'}`] ?? 0) + 1;
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const lags = samples.flatMap((s) => (s.lagP99 === undefined ? [] : [s.lagP99])).sort((a, b) => a - b);
  const first = samples.filter((s) => s.at < WINDOW_S).map((s) => s.rss);
  const last = samples.filter((s) => s.at >= SECONDS - WINDOW_S).map((s) => s.rss);
  console.log(`soak: ${SECONDS} s at ${RATE} req/s (6 reads, 3 writes, 1 batch of ${BATCH} in 10), one server process as in production`);
  console.log(`  requests: ${results.length} answered, ${(results.length / SECONDS).toFixed(0)}/s; errors: ${JSON.stringify(errors)}`);
  console.log(`  latency: p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${ms.at(-1)!.toFixed(0)} ms`);
  console.log(`  event-loop delay p99 (per 1 s scrape): median ${percentile(lags, 50).toFixed(1)} ms, worst ${lags.at(-1)!.toFixed(1)} ms`);
  const waiting = samples.flatMap((s) => (s.waiting === undefined ? [] : [s.waiting]));
  console.log(`  queries waiting for an API pool connection (per scrape): median ${percentile([...waiting].sort((a, b) => a - b), 50)}, max ${Math.max(...waiting)}`);
  console.log(`  resident memory: idle ${mib(idleRss)}, first ${WINDOW_S} s ${mib(mean(first))}, last ${WINDOW_S} s ${mib(mean(last))}, peak ${mib(Math.max(...samples.map((s) => s.rss)))}`);
  console.log(`  webhooks: ${delivered} of ${writes} delivered; ${logged.lines} log lines, ${logged.warnings.length} at warn or above`);
  for (const w of logged.warnings) console.log(`    ${w}`);
} finally {
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await receiver.close();
  await database.drop();
}
