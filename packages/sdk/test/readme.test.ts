// `pnpm test` fails when the README's method list no longer matches the contract
// (the same check as `pnpm --filter @ihf/sdk readme:check`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, withMethods } from '../scripts/readme-methods.js';

describe('README method list', () => {
  const readme = readFileSync(README, 'utf8');

  it('is the one generated from the contract (run `pnpm --filter @ihf/sdk readme` to update it)', () => {
    expect(withMethods(readme)).toBe(readme);
  });

  it('lists the admin interaction-type route under client.admin', () => {
    expect(readme).toContain('| `client.admin.interactionTypes.create({ body })` | `POST /api/v2/admin/interaction-types` |');
  });

  it('the check catches a stale list', () => {
    const stale = readme.replace('client.me.get()', 'client.me.fetch()');
    expect(stale).not.toBe(readme);
    expect(withMethods(stale)).not.toBe(stale);
  });
});
