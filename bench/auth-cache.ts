// What the authentication cache saves (cached vs uncached authenticator, in process), and
// how fast a revocation's NOTIFY reaches another pool. Method and figures: bench/README.md.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createApp } from '../apps/server/src/app.js';
import { loadConfig } from '../apps/server/src/config.js';
import { createSql } from '../apps/server/src/db/client.js';
import { createLogger } from '../apps/server/src/logger.js';
import { AUTH_INVALIDATE_CHANNEL } from '../apps/server/src/services/auth-cache.js';
import { createAuthenticator } from '../apps/server/src/services/auth.js';
import { benchDatabase } from './lib/database.js';

const KEYS = 200;
const CALLS_PER_ROUND = 20_000;
const ROUNDS = 5;
const IN_FLIGHT = 32;
const NOTIFY_SAMPLES = 200;

const database = await benchDatabase();
const sql = createSql(database.url, { max: 10 });
const other = createSql(database.url, { max: 2 });

const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', IHF_ADMIN_TOKEN: `ihfadm_${randomBytes(32).toString('base64url')}` });
const { services } = createApp({ config, sql, logger: createLogger('silent') });
await services.authCache.ready;

const consumer = await services.consumers.create({ name: 'bench', tier: 'enterprise' });
const keys: string[] = [];
for (let i = 0; i < KEYS; i++) keys.push((await services.keys.issue(consumer.id, { scopes: ['usage:read'] })).key);

const cached = services.authenticator;
const uncached = createAuthenticator({
  lookup: { lookup: (prefix) => services.repos.keys.findByPrefixWithConsumer(prefix) },
  adminToken: config.IHF_ADMIN_TOKEN,
  now: () => new Date(),
});

async function round(auth: typeof cached): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < CALLS_PER_ROUND) {
        const i = next++;
        await auth.authenticate(`Bearer ${keys[i % KEYS]}`);
      }
    }),
  );
  return CALLS_PER_ROUND / ((performance.now() - started) / 1000);
}

await round(cached);
await round(uncached);
const rates = { cached: [] as number[], uncached: [] as number[] };
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const u = await round(uncached);
  const c = await round(cached);
  rates.uncached.push(u);
  rates.cached.push(c);
  ratios.push(c / u);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stats = services.authCache.stats();

// NOTIFY propagation: commit on `sql`, arrival on `other`'s LISTEN connection.
const arrivals = new Map<string, number>();
await other.listen(AUTH_INVALIDATE_CHANNEL, (payload) => arrivals.set(payload, performance.now()));
const rows = await sql<{ id: string; key_prefix: string }[]>`
  SELECT id, key_prefix FROM api_keys WHERE api_consumer_id = ${consumer.id} LIMIT ${NOTIFY_SAMPLES}`;
const latencies: number[] = [];
for (const row of rows) {
  // From issuing the UPDATE: PostgreSQL may deliver the NOTIFY before the committing
  // client has even read its own acknowledgement.
  const issued = performance.now();
  await sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${row.id}`;
  const payload = `key:${row.key_prefix}`;
  while (!arrivals.has(payload)) await new Promise((r) => setImmediate(r));
  latencies.push(arrivals.get(payload)! - issued);
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;

console.log(`auth cache: ${KEYS} keys, ${CALLS_PER_ROUND} authentications per round, ${IN_FLIGHT} in flight, ${ROUNDS} rounds`);
console.log(`  uncached (PostgreSQL per call): median ${median(rates.uncached).toFixed(0)} auth/s  rounds ${rates.uncached.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`  cached   (LRU + NOTIFY):        median ${median(rates.cached).toFixed(0)} auth/s  rounds ${rates.cached.map((x) => x.toFixed(0)).join(' ')}`);
console.log(`  ratio cached/uncached: median ${median(ratios).toFixed(1)}x  (cache hits ${stats.hits}, misses ${stats.misses})`);
console.log(
  `invalidation: UPDATE issued → NOTIFY received on another pool (includes the commit), ${latencies.length} samples: ` +
    `p50 ${pct(50).toFixed(2)} ms  p99 ${pct(99).toFixed(2)} ms  max ${latencies.at(-1)!.toFixed(2)} ms`,
);

await services.authCache.close();
await other.end({ timeout: 5 });
await sql.end({ timeout: 5 });
await database.drop();
process.exit(0);
