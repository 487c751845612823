import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { compression } from 'vite-plugin-compression2';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const sdkVersion = (JSON.parse(readFileSync(here('../../packages/sdk/package.json'), 'utf8')) as { version: string }).version;

// Three pages, one build: the operator console, the consumer portal and the API reference.
// Shared code (the SDK, Preact, the chart) lands in chunks both apps load from /assets/.
export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: false,
  resolve: {
    alias: [
      // @ihf/sdk from its sources, bundled as its own tsup build bundles it (the contract's
      // spec-metadata helper replaced by the SDK's stand-in), so a web build needs no SDK build first.
      { find: /^@ihf\/sdk$/, replacement: here('../../packages/sdk/src/index.ts') },
      { find: /^@anatine\/zod-openapi$/, replacement: here('../../packages/sdk/src/internal/zod-openapi.ts') },
    ],
  },
  // As the SDK's own build does (its tsup.config.ts): its version, for X-IHF-Client.
  define: { __IHF_SDK_VERSION__: JSON.stringify(sdkVersion) },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every asset a file of its own: the CSP allows no data: URLs in the apps.
    assetsInlineLimit: 0,
    // Every browser the apps target supports modulepreload: no polyfill chunk to fetch.
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      checks: { pluginTimings: false },
      input: { console: here('console/index.html'), portal: here('portal/index.html'), docs: here('docs/index.html') },
    },
  },
  // Precompressed beside each file; the server picks one by Accept-Encoding.
  plugins: [compression({ algorithms: ['brotliCompress', 'gzip'], threshold: 0, include: /\.(js|css|html|svg|json)$/ })],
});
