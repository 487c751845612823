import { defineConfig } from 'tsup';

// The production build: one ESM bundle per entry, with the private @ihf/contract
// workspace package inlined and every npm dependency left external.
export default defineConfig({
  entry: { main: 'src/main.ts', 'migrate-cli': 'src/db/migrate-cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  noExternal: ['@ihf/contract'],
});
