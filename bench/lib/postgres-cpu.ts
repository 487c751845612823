// CPU time of the PostgreSQL server the benchmark talks to, when it runs on this machine
// (the machine's server, or the embedded one): the postmaster's children, i.e. every
// backend and background process. Read from /proc/<pid>/schedstat (nanoseconds on CPU),
// finer than the clock ticks of /proc/<pid>/stat. A backend that exits between two
// readings takes its CPU with it, so take the second reading while the connections being
// measured are still open. On a server elsewhere, or without /proc, readings are null.
import { readdirSync, readFileSync } from 'node:fs';
import type { Sql } from '../../apps/server/src/db/client.js';

export interface PostgresCpu {
  /** ns on CPU per server process, now. */
  read(): Map<number, number> | null;
  /** ms of CPU from `before` to now (processes started since count from zero). */
  since(before: Map<number, number> | null): number | null;
}

const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
const cpuNs = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);

export async function postgresCpu(sql: Sql): Promise<PostgresCpu> {
  let postmaster: number | null = null;
  try {
    const [row] = await sql<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    postmaster = parentOf(row!.pid); // the backend's parent; throws when the server is not on this machine
  } catch {
    postmaster = null;
  }
  const read = () => {
    if (postmaster === null) return null;
    const cpu = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      try {
        if (pid === postmaster || parentOf(pid) === postmaster) cpu.set(pid, cpuNs(pid));
      } catch {
        // exited meanwhile
      }
    }
    return cpu;
  };
  return {
    read,
    since(before) {
      const now = read();
      if (!now || !before) return null;
      let ns = 0;
      for (const [pid, at] of now) ns += at - (before.get(pid) ?? 0);
      return ns / 1e6;
    },
  };
}
