import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Config } from '../config.js';

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
