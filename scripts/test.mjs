#!/usr/bin/env node
// `pnpm test`: every vitest project, the `netns` one inside a loopback-only network
// namespace (`unshare -n`) so nothing can leave the machine even if a guard failed.
// Prints one closing line: `tests: N passed, M failed[, K skipped]`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, '.data', 'test-results');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const extra = process.argv.slice(2);
const vitest = join(root, 'node_modules', '.bin', 'vitest');

function run(label, command, args) {
  const out = join(outDir, `${label}.json`);
  const result = spawnSync(command, [...args, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra], {
    cwd: root,
    stdio: 'inherit',
  });
  const counts = { passed: 0, failed: 0, skipped: 0 };
  if (existsSync(out)) {
    const report = JSON.parse(readFileSync(out, 'utf8'));
    counts.passed = report.numPassedTests;
    counts.failed = report.numFailedTests + (report.success || report.numFailedTests ? 0 : 1);
    counts.skipped = report.numPendingTests + report.numTodoTests;
  } else if (result.status !== 0) {
    counts.failed = 1;
  }
  return counts;
}

function canUnshare() {
  if (process.platform !== 'linux') return null;
  for (const flags of [['-n'], ['-rn']]) {
    const probe = spawnSync('unshare', [...flags, 'true'], { stdio: 'ignore' });
    if (probe.status === 0) return flags;
  }
  return null;
}

// The web project's browser tests need a Chromium; without one they are skipped, and counted.
const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
if (!chromium) console.log('web: no Chromium found, so its browser tests are skipped (install Debian\'s chromium)');

const totals = run('main', vitest, ['run', '--project', 'server', '--project', 'contract', '--project', 'sdk', '--project', 'ops', '--project', 'web']);

const flags = canUnshare();
if (flags) {
  const sandboxed = run('netns', 'unshare', [...flags, 'sh', '-c', 'ip link set lo up 2>/dev/null; exec "$0" "$@"', vitest, 'run', '--project', 'netns', '--passWithNoTests']);
  for (const k of Object.keys(totals)) totals[k] += sandboxed[k];
} else {
  console.log('netns project skipped: `unshare -n` is not available on this machine');
}

console.log(`tests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
