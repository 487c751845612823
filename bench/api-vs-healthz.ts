// An authenticated, limited and logged GET /api/v2/me against GET /healthz on one server
// built and started as production runs it (compiled JavaScript, NODE_ENV=production,
// LOG_LEVEL=info), alternating rounds from outside; then its resident memory after a
// minute of load. Method and figures: bench/README.md.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { startProductionServer } from './lib/production-server.js';

const CONNECTIONS = 10;
const ROUND_S = 5;
const ROUNDS = 5;
const WARMUP_S = 3;
const SOAK_S = Number(process.env.SOAK_S ?? 60);

const server = await startProductionServer({ scopes: ['usage:read', 'annotations:read', 'annotations:write'] });
await new Promise((r) => setTimeout(r, 2000));
const idleRss = server.rssMb();
const autocannonCli = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

interface Figures {
  rps: number;
  p99: number;
  non2xx: number;
  /** The server's CPU per request (user + system, from /proc), in µs. */
  cpu: number;
}

async function load(path: string, seconds: number, body?: unknown): Promise<Figures> {
  const cpuBefore = server.cpuMicros();
  const post = body === undefined ? [] : ['-m', 'POST', '-H', 'content-type=application/json', '-b', JSON.stringify(body)];
  const child = spawn(
    process.execPath,
    [autocannonCli, '-j', '-c', String(CONNECTIONS), '-d', String(seconds), '-H', `authorization=Bearer ${server.key}`, ...post, server.url + path],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => child.on('exit', resolve));
  const cpu = server.cpuMicros() - cpuBefore;
  const r = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p99: number }; non2xx: number };
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, cpu: cpu / Math.max(1, r.requests.total) };
}

await load('/healthz', WARMUP_S);
await load('/api/v2/me', WARMUP_S);
const health: Figures[] = [];
const me: Figures[] = [];
for (let i = 0; i < ROUNDS; i++) {
  health.push(await load('/healthz', ROUND_S));
  me.push(await load('/api/v2/me', ROUND_S));
}

// A record create, then a page of 50 of them (the baseline: ~170 and ~780 req/s).
const CREATE = '/api/v2/annotations';
const LIST = '/api/v2/annotations?limit=50';
await load(CREATE, WARMUP_S, { body: 'Users click save twice.', labels: ['ux'] });
const creates: Figures[] = [];
const lists: Figures[] = [];
for (let i = 0; i < 3; i++) {
  creates.push(await load(CREATE, ROUND_S, { body: 'Users click save twice.', labels: ['ux'] }));
  lists.push(await load(LIST, ROUND_S));
}

let peakRss = server.rssMb();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, server.rssMb())), 500);
const soak = await load('/api/v2/me', SOAK_S);
clearInterval(sampler);
const afterRss = server.rssMb();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (n: number) => n.toFixed(0);
const line = (name: string, xs: Figures[]) =>
  `  ${name.padEnd(44)} ${fmt(median(xs.map((x) => x.rps))).padStart(6)} req/s   server CPU ${fmt(median(xs.map((x) => x.cpu)))} µs/req   p99 ${fmt(median(xs.map((x) => x.p99)))} ms   non-2xx ${xs.reduce((n, x) => n + x.non2xx, 0)}`;

console.log(`api-vs-healthz: production build, LOG_LEVEL=info, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_S} s (medians)`);
console.log(line('GET /healthz', health));
console.log(line('GET /api/v2/me (auth + limits + logs)', me));
console.log(`  per round (me/healthz req/s): ${me.map((m, i) => (m.rps / health[i]!.rps).toFixed(2)).join(' ')}`);
console.log(`  throughput ratio ${median(me.map((m, i) => m.rps / health[i]!.rps)).toFixed(3)} (target >= 0.8)`);
console.log(`  server CPU per request: /me ${fmt(median(me.map((m) => m.cpu)))} µs (target <= 200), /healthz ${fmt(median(health.map((h) => h.cpu)))} µs`);
console.log(line(`POST ${CREATE}`, creates));
console.log(line(`GET ${LIST}`, lists));
console.log(`  start to ready: ${fmt(server.startToReadyMs)} ms (fresh database, migrations applied)`);
console.log(
  `  resident memory: ${fmt(idleRss)} MB idle after start; ${fmt(afterRss)} MB after ${SOAK_S} s of GET /me (peak ${fmt(peakRss)} MB, ${fmt(soak.rps)} req/s) (target <= 150)`,
);
await server.stop();
process.exit(0);
