import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('documents every variable in .env.example', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(CONFIG_KEYS.filter((k) => !documented.has(k))).toEqual([]);
  });

  it('applies defaults and parses the retry schedule', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.WEBHOOK_RETRY_SCHEDULE).toEqual([0, 5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '0, 1,2' }).WEBHOOK_RETRY_SCHEDULE).toEqual([0, 1, 2]);
  });

  it('fails fast, naming each bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', WEBHOOK_RETRY_SCHEDULE: '1,-2', IHF_ADMIN_TOKEN: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', WEBHOOK_RETRY_SCHEDULE: '1,-2', IHF_ADMIN_TOKEN: 'short' });
    } catch (err) {
      expect((err as Error).message).toMatch(/PORT/);
      expect((err as Error).message).toMatch(/WEBHOOK_RETRY_SCHEDULE/);
      expect((err as Error).message).toMatch(/IHF_ADMIN_TOKEN/);
    }
    expect(() => loadConfig({ PUBLIC_BASE_URL: 'portal.example.com' })).toThrow(/PUBLIC_BASE_URL/);
    expect(loadConfig({ PUBLIC_BASE_URL: 'https://portal.example.com' }).PUBLIC_BASE_URL).toBe('https://portal.example.com');
  });
});
