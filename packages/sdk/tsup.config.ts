import { readFileSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';
import { leanContract } from './scripts/lean-contract.mjs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

const common: Options = {
  format: ['esm', 'cjs'],
  // Declarations come from scripts/build-types.mjs (the contract's types must be inlined).
  dts: false,
  // The contract is a private workspace package: bundled, so the published SDK does not
  // depend on it. Its spec-metadata helper is replaced by src/internal/zod-openapi.ts
  // (see there why), so the runtime dependencies stay @ts-rest/core and zod.
  noExternal: ['@ihf/contract'],
  external: ['@ts-rest/core', 'zod', 'msw'],
  esbuildOptions(options) {
    options.alias = { '@anatine/zod-openapi': './src/internal/zod-openapi.ts' };
  },
  // src/version.ts: the published version, for X-IHF-Client and User-Agent.
  define: { __IHF_SDK_VERSION__: JSON.stringify(version) },
  platform: 'neutral',
  target: 'es2022',
  treeshake: true,
  sourcemap: true,
  // Both builds write into dist/ at once; the build script empties it first.
  clean: false,
};

// tsup's config loader needs this default export; it is the only one in the package.
export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    splitting: true,
  },
  {
    // Built alone so it shares no chunk with the client: it carries the event schemas
    // only (scripts/lean-contract.mjs), to stay small for browsers and edge runtimes.
    ...common,
    entry: { 'webhooks/index': 'src/webhooks/index.ts' },
    esbuildPlugins: [leanContract],
  },
]);
