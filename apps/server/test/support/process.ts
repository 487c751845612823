// Runs the real server entry point (src/main.ts) as a child process, for tests of
// start-up, shutdown and crash behaviour.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestServer } from './harness.js';

const serverDir = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  /** Resolves with the first JSON log line whose msg matches. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** `group`: in a process group of its own, as a shell job is, so a signal can go to the whole group (`kill -- -pid`). */
export function spawnServer(env: Record<string, string>, opts: { group?: boolean } = {}): ServerProcess {
  // node itself (not the tsx CLI, which forks a second process), so a signal reaches the server.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serverDir,
    detached: opts.group ?? false,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', NODE_ENV: 'test', PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const lines: Record<string, unknown>[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const raw of chunk.toString().split('\n')) {
      if (!raw.startsWith('{')) continue;
      try {
        const line = JSON.parse(raw) as Record<string, unknown>;
        lines.push(line);
        for (const w of waiters.filter((w) => w.msg === line.msg)) w.resolve(line);
      } catch {
        // a partial line; the JSON logger writes whole lines, so this is rare and harmless
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    output: () => out,
    waitForLog(msg, timeoutMs = 60_000) {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${msg}" log within ${timeoutMs} ms:\n${out}`)), timeoutMs);
        waiters.push({ msg, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then(() => reject(new Error(`server exited before "${msg}":\n${out}`)));
      });
    },
  };
}

/**
 * The server entry as a webhook worker (IHF_ROLE=worker) or a whole server on a test
 * server's database, with its secrets and private (loopback) targets allowed; `env` adds
 * to or overrides that.
 */
export function spawnOnTestDatabase(t: Pick<TestServer, 'db' | 'config' | 'adminToken'>, env: Record<string, string>): ServerProcess {
  return spawnServer({
    IHF_ROLE: 'worker',
    DATABASE_URL: t.db.url,
    IHF_SECRET_KEY: t.config.IHF_SECRET_KEY!,
    IHF_ADMIN_TOKEN: t.adminToken,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    ...env,
  });
}
