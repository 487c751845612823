#!/usr/bin/env node
// Builds the web apps (apps/web: /console, /portal, /docs) when their build is missing or
// older than their sources, so `pnpm start` and the web tests always serve the current
// code. An up-to-date build costs a directory walk (a few ms); a rebuild about 10 s.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'apps', 'web');
const dist = join(web, 'dist');
/** What the build reads: the apps, and the SDK and contract they bundle from source. */
const SOURCES = [
  join(web, 'src'),
  join(web, 'console'),
  join(web, 'portal'),
  join(web, 'docs'),
  join(web, 'vite.config.ts'),
  join(web, 'package.json'),
  join(root, 'packages', 'sdk', 'src'),
  join(root, 'packages', 'contract', 'src'),
];
const OUTPUTS = ['console', 'portal', 'docs'].map((page) => join(dist, page, 'index.html'));

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Why the build must be made again, or null when it is current. */
export function staleReason() {
  const missing = OUTPUTS.find((file) => !existsSync(file));
  if (missing) return `${missing.slice(root.length)} is missing`;
  const built = Math.min(...OUTPUTS.map((file) => statSync(file).mtimeMs));
  const changed = Math.max(...SOURCES.map(newest));
  return changed > built ? 'sources changed since the last build' : null;
}

export function ensureWebBuild({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const reason = staleReason();
  if (!reason) return false;
  log(`Building the web apps (${reason})…`);
  const result = spawnSync('pnpm', ['--filter', '@ihf/web', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`the web build failed (exit ${result.status})`);
  return true;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // --strict (the web tests): a failed build fails. Otherwise (`pnpm start`) the server still
  // starts, and a deployment that points it at another build (WEB_DIST_DIR) is not rebuilt.
  const strict = process.argv.includes('--strict');
  if (!strict && process.env.WEB_DIST_DIR) process.exit(0);
  try {
    ensureWebBuild();
  } catch (error) {
    if (strict) throw error;
    process.stderr.write(`${error.message}; the server starts without /console, /portal and /docs.\n`);
  }
}
