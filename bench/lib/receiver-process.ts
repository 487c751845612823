// The webhook benchmark's receiver, in a child process of its own (child_process.fork,
// with an IPC channel). In a deployment the receiver is another machine; hosting it in
// the benchmark process would make its HTTP parsing compete with the delivery engine and
// the bare POST loop for one JS thread. The child answers every POST with 200 "ok", counts
// receipts and keeps the times of the first and the last; nothing crosses the IPC channel
// per receipt except when the parent asked for it (a count reached, a tagged body seen),
// so IPC cannot become the bottleneck. The parent reads counts, times and the child's CPU
// on request (at the end of a round).
//
// Clocks: `first`/`last` are the child's performance.now(), only ever subtracted from each
// other. A tagged receipt's `at` is wall-clock ms (Date.now()) so that the parent can
// subtract a PostgreSQL created_at from it: both processes and PostgreSQL read the same
// machine's system clock, and performance.now() of one process is not comparable with
// another's (different time origins). created_at parses to whole ms, so Date.now()'s ms
// resolution loses nothing.
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Request =
  | { id: number; op: 'reset' }
  | { id: number; op: 'stats' }
  | { id: number; op: 'until'; n: number }
  | { id: number; op: 'tag'; tag: string };
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never; // distributes over the union
type Call = WithoutId<Request>;

export interface ReceiverStats {
  received: number;
  /** Child's performance.now() at the first and last receipt since the last reset (0 while none arrived). */
  first: number;
  last: number;
  /** The child's CPU (user + system) since the last reset, ms. */
  cpuMs: number;
}

export interface Receiver {
  url: string;
  /** Zeroes the count, the receipt times and the CPU baseline. */
  reset(): Promise<void>;
  stats(): Promise<ReceiverStats>;
  /** Resolves once `n` receipts have arrived since the last reset. */
  until(n: number, timeoutMs: number): Promise<void>;
  /** Resolves with the wall-clock ms (Date.now()) at which a body containing `"tag"` arrived. */
  tagged(tag: string, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

const thisFile = fileURLToPath(import.meta.url);

/** Forks this file as the receiver and waits until it listens on loopback. */
export async function startReceiver(): Promise<Receiver> {
  // execArgv is inherited (it carries tsx's --import), so the child runs this TypeScript file too.
  const child: ChildProcess = fork(thisFile, ['--receiver-child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  const pending = new Map<number, { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  let dead: Error | undefined;
  const fail = (e: Error) => {
    dead ??= e;
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
  };
  child.on('exit', (code, signal) => fail(new Error(`receiver process exited (${code ?? signal})`)));
  child.on('error', fail);

  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port?: number }) => (m.port ? resolve(m.port) : reject(new Error('receiver: no port'))));
    child.once('exit', (code) => reject(new Error(`receiver process exited before listening (${code})`)));
  });
  child.on('message', (m: { id?: number }) => {
    const p = m.id === undefined ? undefined : pending.get(m.id);
    if (!p) return;
    pending.delete(m.id!);
    p.resolve(m as Record<string, unknown>);
  });

  const call = (msg: Call, timeoutMs = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`receiver: ${msg.op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      child.send({ ...msg, id });
    });

  return {
    url: `http://127.0.0.1:${port}/hook`,
    reset: async () => void (await call({ op: 'reset' })),
    stats: async () => (await call({ op: 'stats' })) as unknown as ReceiverStats,
    until: async (n, timeoutMs) => void (await call({ op: 'until', n }, timeoutMs)),
    tagged: async (tag, timeoutMs) => (await call({ op: 'tag', tag }, timeoutMs)).at as number,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.disconnect(); // the child closes its server and exits on disconnect
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The child: the HTTP receiver plus the IPC side. */
async function runChild() {
  const send = (m: object) => process.send!(m);
  let received = 0;
  let first = 0;
  let last = 0;
  let cpuBase = process.cpuUsage();
  let untilWaiter: { id: number; n: number } | undefined;
  const tagWaiters = new Map<string, number>(); // `"tag"` -> request id

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = performance.now();
      received++;
      if (received === 1) first = now;
      last = now;
      res.writeHead(200).end('ok');
      if (untilWaiter && received >= untilWaiter.n) {
        send({ id: untilWaiter.id });
        untilWaiter = undefined;
      }
      // Bodies are only decoded while the latency phase waits for a tagged one.
      if (tagWaiters.size === 0) return;
      const at = Date.now();
      const body = Buffer.concat(chunks).toString();
      for (const [quoted, id] of tagWaiters) {
        if (!body.includes(quoted)) continue;
        tagWaiters.delete(quoted);
        send({ id, at });
      }
    });
  });
  server.keepAliveTimeout = 60_000;

  process.on('message', (m: Request) => {
    switch (m.op) {
      case 'reset':
        received = 0;
        first = last = 0;
        cpuBase = process.cpuUsage();
        return send({ id: m.id });
      case 'stats': {
        const u = process.cpuUsage(cpuBase);
        return send({ id: m.id, received, first, last, cpuMs: (u.user + u.system) / 1000 } satisfies ReceiverStats & { id: number });
      }
      case 'until':
        if (received >= m.n) return send({ id: m.id });
        untilWaiter = { id: m.id, n: m.n };
        return;
      case 'tag':
        tagWaiters.set(JSON.stringify(m.tag), m.id);
        return;
    }
  });
  process.on('disconnect', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  send({ port: (server.address() as AddressInfo).port });
}

if (process.argv[2] === '--receiver-child' && process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await runChild();
