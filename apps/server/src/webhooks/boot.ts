import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { ConfigError, type Config } from '../config.js';
import { startWebhookWorker } from './worker.js';

const LOCAL_SECRET_KEY_FILE = fileURLToPath(new URL('../../../../.data/secret-key', import.meta.url));

/**
 * Webhook secrets are encrypted under IHF_SECRET_KEY. Production must set it; a local
 * run generates one once and keeps it in .data/secret-key (0600), so secrets stored by
 * an earlier run can still be decrypted after a restart.
 */
export function withLocalSecretKey(config: Config, file = LOCAL_SECRET_KEY_FILE): Config {
  if (config.IHF_SECRET_KEY) return config;
  if (config.NODE_ENV === 'production') {
    throw new ConfigError('IHF_SECRET_KEY is required when NODE_ENV=production (it encrypts webhook secrets).');
  }
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  return { ...config, IHF_SECRET_KEY: readFileSync(file, 'utf8').trim() };
}

/** IHF_ROLE=worker: only the webhook worker, drained on SIGTERM/SIGINT. */
export async function runWorkerOnly(opts: {
  config: Config;
  databaseUrl: string;
  logger: Logger;
  onStopped?: () => Promise<void>;
}): Promise<void> {
  const worker = await startWebhookWorker({ config: opts.config, databaseUrl: opts.databaseUrl, logger: opts.logger });
  opts.logger.info({ concurrency: opts.config.WEBHOOK_CONCURRENCY }, 'webhook worker running');
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info({ signal }, 'webhook worker draining');
    await worker.stop();
    await opts.onStopped?.();
    opts.logger.info('webhook worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}
