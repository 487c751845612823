// Once per run of the `web` project: the web apps built from the current sources (the
// server under test serves apps/web/dist), rebuilt only when missing or stale.
import { spawnSync } from 'node:child_process';

export default function setup() {
  const script = new URL('../../../scripts/ensure-web.mjs', import.meta.url).pathname;
  const result = spawnSync(process.execPath, [script, '--strict'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the web build failed: see its output above');
}
