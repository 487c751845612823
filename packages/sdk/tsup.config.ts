import { defineConfig } from 'tsup';

// tsup's config loader needs this default export; it is the only one in the package.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'webhooks/index': 'src/webhooks/index.ts',
    'testing/index': 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  // Declarations come from scripts/build-types.mjs (the contract's types must be inlined).
  dts: false,
  // The contract is a private workspace package: bundled, so the published SDK does not
  // depend on it. Its spec-metadata helper is replaced by src/internal/zod-openapi.ts
  // (see there why), so the runtime dependencies stay @ts-rest/core and zod.
  noExternal: ['@ihf/contract'],
  esbuildOptions(options) {
    options.alias = { '@anatine/zod-openapi': './src/internal/zod-openapi.ts' };
  },
  external: ['@ts-rest/core', 'zod', 'msw'],
  platform: 'neutral',
  target: 'es2022',
  splitting: true,
  treeshake: true,
  sourcemap: true,
  clean: true,
});
