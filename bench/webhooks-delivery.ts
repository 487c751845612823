// Benchmark: the webhook delivery engine against a local receiver.
//  The receiver runs in a child process of its own (bench/lib/receiver-process.ts): in a
//  deployment it is another machine, and hosted in this process its HTTP parsing would
//  compete with the delivery engine and the bare loop for one JS thread. It answers 200,
//  counts receipts and keeps the first and last receipt time; this process asks for those
//  over IPC at the end of a round (nothing crosses IPC per receipt). The machine's cores
//  are still shared, by this process, the receiver, PostgreSQL and the OS.
//  1. Bare POST loop: plain keep-alive POSTs of a webhook-sized body to that receiver with
//     C requests in flight — the ceiling for this machine.
//  2. Signed deliveries: N events queued (one batch insert, one subscriber), then a fresh
//     worker (WEBHOOK_CONCURRENCY = C, so at most C requests in flight as in 1) drains
//     them: each attempt is fetched, claimed, signed (Standard Webhooks), sent to the same
//     receiver, logged and its message updated in PostgreSQL. Rate = deliveries between
//     the first and last receipt, timed by the receiver.
//  Both loops run in this process, in alternating rounds so that drift in the machine's
//  load hits both alike, after two unmeasured rounds of each (JIT, and plans and
//  statistics of a fresh database). Ratio = median over rounds of signed / bare of the
//  same round. "This process" CPU no longer includes the receiver's; the receiver's own
//  CPU per request is printed beside it, and so is PostgreSQL's (all of the server's
//  processes, when it runs on this machine) per delivery.
//  3. Commit-to-receipt latency at light load: one record at a time; latency = the
//     receiver's wall-clock receipt time (Date.now(), same system clock as PostgreSQL's
//     now()) minus the record's created_at (its transaction's start, so an upper bound).
// Targets: deliveries/s >= 0.5 x the bare loop; p50 commit-to-receipt <= 20 ms.
// Run it alone (CPU-bound): flock /tmp/bench.lock node --import tsx bench/webhooks-delivery.ts
import { Agent, request } from 'node:http';
import { createLogger } from '../apps/server/src/logger.js';
import { startWebhookWorker } from '../apps/server/src/webhooks/worker/worker.js';
import { postgresCpu } from './lib/postgres-cpu.js';
import { startReceiver, type Receiver } from './lib/receiver-process.js';
import { benchEnv, events, percentile } from './lib/webhooks-db.js';

const C = 16;
// Long enough for steady state: a drain's first and last moments (the worker's start, the
// last batch's stragglers) are not what a running worker does (bench/README.md).
const N = 20_000;
const BARE_N = 30_000;
const ROUNDS = 5;
const WARM_UP_ROUNDS = 2;
const LATENCY_SAMPLES = 100;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};

const env = await benchEnv({ WEBHOOK_CONCURRENCY: String(C) });
let receiver: Receiver | undefined;
try {
  receiver = await startReceiver();
  const rx = receiver;
  const target = rx.url;
  const sample = JSON.stringify({ type: 'interaction_event.created', timestamp: new Date().toISOString(), data: { ...events(1, 'x')[0], id: crypto.randomUUID() } });
  const agent = new Agent({ keepAlive: true, maxSockets: C });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(sample) } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(sample);
    });
  const pgCpu = await postgresCpu(env.sql);
  const sub = await env.post('/api/v2/webhook-subscriptions', { event_type: 'interaction_event.created', target_url: target });
  if (sub.status !== 201) throw new Error(`subscribe: ${sub.status} ${await sub.text()}`);

  /** C requests in flight until `n` are answered; requests/s (timed here, by the sender). */
  async function bareRound(n: number) {
    await rx.reset();
    let next = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(Array.from({ length: C }, async () => { while (next++ < n) await post(); }));
    const rate = n / ((performance.now() - start) / 1000);
    const cpuPer = cpuMs(cpu) / n;
    const got = await rx.stats();
    if (got.received !== n) throw new Error(`bare loop: receiver counted ${got.received} of ${n}`);
    return { rate, cpuPer, rxCpuPer: got.cpuMs / n };
  }

  /** Queues N events with no worker running, then lets a fresh worker drain them; deliveries/s. */
  async function signedRound(tag: string) {
    for (let i = 0; i < N / 1000; i++) {
      const res = await env.post('/api/v2/interaction-events/batch', { events: events(1000, `${tag}b${i}`) });
      if (res.status !== 201) throw new Error(`batch: ${res.status}`);
    }
    await rx.reset();
    const cpu = process.cpuUsage();
    const pgBefore = pgCpu.read();
    const drainer = await startWebhookWorker({ config: env.config, databaseUrl: env.databaseUrl, logger: createLogger('silent') });
    // The receiver says once when the N-th delivery has arrived (no polling over IPC).
    const drained = await rx.until(N, 180_000).then(() => true, () => false);
    const cpuPer = cpuMs(cpu) / N;
    const pgMs = pgCpu.since(pgBefore); // before the worker's connections close
    const got = await rx.stats();
    await drainer.stop();
    if (!drained || got.received < N) throw new Error(`only ${got.received} of ${N} deliveries arrived`);
    return { rate: (N - 1) / ((got.last - got.first) / 1000), cpuPer, rxCpuPer: got.cpuMs / N, pgCpuPer: pgMs === null ? null : pgMs / N };
  }

  // Warm-up, not measured: both loops (and the receiver) reach steady speed only after a
  // few thousand requests (JIT).
  for (let i = 0; i < WARM_UP_ROUNDS; i++) {
    await bareRound(BARE_N);
    await signedRound(`warm${i}`);
  }

  type Round = { rate: number; cpuPer: number; rxCpuPer: number; pgCpuPer?: number | null };
  const bare: Round[] = [];
  const signed: Round[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await bareRound(BARE_N));
    signed.push(await signedRound(`r${round}`));
  }
  agent.destroy();
  const ratios = signed.map((d, i) => d.rate / bare[i]!.rate);
  const [logged] = await env.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status = 'delivered'`;
  const worker = await startWebhookWorker({ config: env.config, databaseUrl: env.databaseUrl, logger: createLogger('silent') });

  // 3. Latency at light load, one record at a time.
  // The worker is new: the first records it delivers (its sessions connect and plan)
  // are reported apart from the ones the latency goal is about.
  const latencies: number[] = [];
  const firstAfterDrain: number[] = [];
  for (let i = -3; i < LATENCY_SAMPLES; i++) {
    const tag = `lat-${i}`;
    // Registered before the record exists, so the receipt cannot come first; `at` is the
    // receiver's Date.now() (wall clock, comparable with PostgreSQL's created_at).
    const got = rx.tagged(tag, 30_000);
    got.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
    const res = await env.post('/api/v2/interaction-events', { ...events(1, tag)[0], subject_id: tag });
    const record = (await res.json()) as { created_at: string };
    const at = await got;
    (i < 0 ? firstAfterDrain : latencies).push(at - Date.parse(record.created_at));
    await new Promise((r) => setTimeout(r, 20));
  }
  latencies.sort((a, b) => a - b);
  await worker.stop();

  const fmt = (xs: { rate: number }[]) => xs.map((x) => Math.round(x.rate)).join(', ');
  const cpu = (xs: Round[]) => {
    const pg = xs.map((x) => x.pgCpuPer).filter((x): x is number => typeof x === 'number');
    return `${median(xs.map((x) => x.cpuPer)).toFixed(3)} ms CPU each, receiver process ${median(xs.map((x) => x.rxCpuPer)).toFixed(3)} ms` +
      (pg.length > 0 ? `, PostgreSQL ${median(pg).toFixed(3)} ms` : '');
  };
  console.log(`webhook delivery, receiver in its own process on loopback, ${C} requests in flight in both loops, ${ROUNDS} alternating rounds after ${WARM_UP_ROUNDS} of each to warm up`);
  console.log(`  bare POST loop:        ${fmt(bare)} req/s (median ${Math.round(median(bare.map((x) => x.rate)))}; ${BARE_N} requests a round; this process ${cpu(bare)})`);
  console.log(`  signed deliveries:     ${fmt(signed)} deliveries/s (median ${Math.round(median(signed.map((x) => x.rate)))}; ${N} events a round, ${logged!.n} logged as delivered in all; this process ${cpu(signed)})`);
  console.log(`  ratio (median):        ${median(ratios).toFixed(3)} x the bare loop  (per round: ${ratios.map((r) => r.toFixed(3)).join(', ')}; target >= 0.7)`);
  console.log(`  commit-to-receipt:     p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies[latencies.length - 1]} ms (${LATENCY_SAMPLES} records, one at a time; targets p50 <= 10 ms, p99 <= 50 ms); the ${firstAfterDrain.length} before them, the new worker's first: ${firstAfterDrain.join(', ')} ms`);
} finally {
  await receiver?.close();
  await env.close();
}
