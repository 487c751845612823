// The server as production runs it, in a child process: compiled JavaScript
// (apps/server/dist/main.js, built here if missing), NODE_ENV=production, its log at
// `info` to a pipe that is drained and dropped, a fresh migrated database, and one
// enterprise consumer whose limits sit far above any load. CPU and resident memory are
// read from /proc/<pid>, so they are the server's own, not the load generator's.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../apps/server/src/config.js';
import { benchDatabase } from './database.js';

const SERVER_DIR = fileURLToPath(new URL('../../apps/server/', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** The heap flags of the image's CMD (Dockerfile); `nodeArgs` replaces them. */
export const IMAGE_NODE_FLAGS = ['--enable-source-maps', '--max-semi-space-size=8', '--heap-growing-percent=50'];
const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux, for /proc/<pid>/stat

export interface ProductionServer {
  url: string;
  pid: number;
  key: string;
  adminToken: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  startToReadyMs: number;
  /** The server's user + system CPU so far, in µs. */
  cpuMicros(): number;
  /** The server's resident set, in MB. */
  rssMb(): number;
  stop(): Promise<void>;
}

function procStat(pid: number): string[] {
  const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may hold spaces: state is [0], utime [11], stime [12], rss pages [21].
  return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server not ready within ${timeoutMs} ms`);
    }
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function startProductionServer(opts: {
  /** The compiled entry point, relative to apps/server (another build to compare with). */
  entry?: string;
  scopes: string[];
  env?: Record<string, string>;
  nodeArgs?: string[];
  /** A command the server runs under (valgrind for instruction counts). */
  wrapper?: string[];
  readyTimeoutMs?: number;
}): Promise<ProductionServer> {
  if (!existsSync(`${SERVER_DIR}dist/main.js`)) {
    spawnSync('pnpm', ['--filter', '@ihf/server', 'build'], { stdio: 'inherit' });
  }
  const database = await benchDatabase();
  const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const redis = loadConfig().REDIS_URL;
  const started = performance.now();
  const [command, ...args] = [...(opts.wrapper ?? []), process.execPath, ...(opts.nodeArgs ?? IMAGE_NODE_FLAGS), opts.entry ?? 'dist/main.js'];
  const child = spawn(command!, args, {
    cwd: SERVER_DIR,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: database.url,
      ...(redis ? { REDIS_URL: redis } : {}),
      IHF_ROLE: 'api',
      IHF_ADMIN_TOKEN: adminToken,
      IHF_SECRET_KEY: randomBytes(32).toString('base64'),
      BURST_THRESHOLD: '1000000',
      // As the container sets them: the defaults are relative to the TypeScript sources.
      MIGRATIONS_DIR: `${REPO_DIR}migrations`,
      WEB_DIST_DIR: `${REPO_DIR}apps/web/dist`,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The log is written as production writes it (JSON lines to stdout) and read away unparsed.
  child.stdout!.resume();
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, opts.readyTimeoutMs ?? 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    await database.drop();
    throw err;
  }
  const startToReadyMs = performance.now() - started;

  const call = async (path: string, body: unknown) => {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, string>;
  };
  const consumer = await call('/api/v2/admin/consumers', {
    name: 'bench',
    tier: 'enterprise',
    rate_limit_per_minute: 1_000_000,
    quota_per_day: 1_000_000_000,
    burst_threshold: 1_000_000,
  });
  const { key } = await call(`/api/v2/admin/consumers/${consumer.id}/keys`, { scopes: opts.scopes });
  const pid = child.pid!;
  return {
    url,
    pid,
    key: key!,
    adminToken,
    startToReadyMs,
    cpuMicros() {
      const f = procStat(pid);
      return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS_PER_S;
    },
    rssMb() {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return rss ? Number(rss[1]) / 1024 : NaN;
    },
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
      await database.drop();
    },
  };
}
