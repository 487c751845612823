// The console and portal import `@ihf/sdk` into a browser bundle (Vite): the client entry,
// its dependencies included, must build for the browser with no Node module in it.
import { describe, expect, it } from 'vitest';
// @ts-expect-error an .mjs build script without declarations
import { measure } from '../scripts/size.mjs';

describe('the client entry in a browser bundle', () => {
  it('builds for the browser, dependencies included, reaching no node: module', async () => {
    const m = (await measure('src/index.ts', { withDependencies: true })) as { bytes: number; nodeImports: unknown[]; inputs: { path: string }[] };
    expect(m.nodeImports).toEqual([]);
    expect(m.inputs.some((i) => i.path.includes('apps/server'))).toBe(false);
    expect(m.bytes).toBeGreaterThan(0);
  });
});
