// Batch ingest through the real app, no subscriptions: events per second through
// POST /api/v2/interaction-events/batch. Goal and figures: bench/README.md.
import { benchEnv, events } from './lib/webhooks-db.js';

const PER_REQUEST = 1000;
const CONCURRENCY = 4;
const DURATION_MS = 8000;
const WARMUP_REQUESTS = 8;

const env = await benchEnv();
try {
  for (let i = 0; i < WARMUP_REQUESTS; i++) {
    const res = await env.post('/api/v2/interaction-events/batch', { events: events(PER_REQUEST, `warm${i}`) });
    if (res.status !== 201) throw new Error(`warm-up got ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  }
  // Bodies are serialised before timing: the load generator shares the machine's two
  // cores with the server, and its own JSON work is not the server's cost.
  const bodies = Array.from({ length: 16 }, (_, i) => JSON.stringify({ events: events(PER_REQUEST, `b${i}`) }));
  const post = (body: string) =>
    fetch(`${env.url}/api/v2/interaction-events/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.key}`, 'content-type': 'application/json' },
      body,
    });
  let stored = 0;
  let requests = 0;
  const started = performance.now();
  const end = started + DURATION_MS;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, lane) => {
      for (let i = lane; performance.now() < end; i += CONCURRENCY) {
        const res = await post(bodies[i % bodies.length]!);
        if (res.status !== 201) throw new Error(`batch got ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        stored += PER_REQUEST;
        requests++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const [row] = await env.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM interaction_events`;
  console.log(`batch ingest: ${requests} requests x ${PER_REQUEST} events, concurrency ${CONCURRENCY}, ${seconds.toFixed(1)} s`);
  console.log(`  events/s:            ${Math.round(stored / seconds)}  (target >= 50000)`);
  console.log(`  ms per 1,000-batch:  ${((seconds * 1000 * CONCURRENCY) / requests).toFixed(1)} (mean, per lane)`);
  console.log(`  rows in table:       ${row!.n} (warm-up included)`);
} finally {
  await env.close();
}
