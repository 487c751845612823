// podman as this machine runs it: our containers.conf (cgroupfs, no default ulimits) and runc,
// since crun refuses the machine's RLIMIT_NOFILE and hybrid cgroups.
import { execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CONTAINERS_CONF = fileURLToPath(new URL('containers.conf', import.meta.url));
const env = { ...process.env, CONTAINERS_CONF };

/**
 * Runs `podman --runtime /usr/bin/runc ...args` and resolves to its stdout (or, with `both`,
 * to `{ stdout, stderr }`); rejects with the end of its stderr. `extraEnv` adds variables.
 */
export function podman(args, { timeoutMs = 120_000, env: extraEnv = {}, both = false } = {}) {
  return new Promise((resolve, reject) => {
    const options = { env: { ...env, ...extraEnv }, timeout: timeoutMs, maxBuffer: 64 << 20 };
    execFile('podman', ['--runtime', '/usr/bin/runc', ...args], options, (err, stdout, stderr) => {
      if (err) reject(new Error(`podman ${args[0]} failed: ${(stderr || err.message).trim().split('\n').slice(-5).join(' | ')}`));
      else resolve(both ? { stdout, stderr } : stdout);
    });
  });
}

/** Runs a command with its output passed through to ours (long steps: base image, build). */
export function streamed(command, args, { timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'inherit', 'inherit'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args[0] ?? ''} exited ${signal ?? code}`));
    });
  });
}
