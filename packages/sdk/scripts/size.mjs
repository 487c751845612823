#!/usr/bin/env node
// Minified size of each public entry as an application bundler would ship it:
// everything the entry reaches is bundled except the declared dependencies
// (zod, @ts-rest/core, msw); then the client and webhooks entries again as a browser
// app (Vite, for the console and portal) ships them, their dependencies included.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { leanContract } from './lean-contract.mjs';

const root = new URL('..', import.meta.url).pathname;
const entries = { '@ihf/sdk/webhooks': 'src/webhooks/index.ts', '@ihf/sdk': 'src/index.ts', '@ihf/sdk/testing': 'src/testing/index.ts' };

export async function measure(entry, { withDependencies = false } = {}) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: withDependencies ? 'browser' : 'neutral',
    target: 'es2022',
    external: withDependencies ? [] : ['zod', '@ts-rest/core', 'msw'],
    define: { __IHF_SDK_VERSION__: '"0.0.0"' },
    mainFields: ['module', 'main'],
    // As in tsup.config.ts: the contract's spec-metadata helper is replaced for the SDK.
    alias: { '@anatine/zod-openapi': './src/internal/zod-openapi.ts' },
    write: false,
    metafile: true,
    // As in tsup.config.ts: the webhooks entry loads the contract through lean-contract.
    plugins: entry.includes('webhooks') ? [leanContract] : [],
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.entries(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].inputs)
    .map(([path, info]) => ({ path, bytes: info.bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return { bytes: code.length, gzip: gzipSync(code).length, inputs, nodeImports: result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].imports.filter((i) => i.path.startsWith('node:')) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, entry] of Object.entries(entries)) {
    const m = await measure(entry);
    console.log(`${name}: ${(m.bytes / 1024).toFixed(1)} KB minified, ${(m.gzip / 1024).toFixed(1)} KB gzip (zod/@ts-rest/core/msw external); node: imports: ${m.nodeImports.length}`);
    if (process.argv.includes('--verbose')) for (const i of m.inputs.slice(0, 12)) console.log(`   ${(i.bytes / 1024).toFixed(1)} KB  ${i.path}`);
  }
  for (const name of ['@ihf/sdk', '@ihf/sdk/webhooks']) {
    const m = await measure(entries[name], { withDependencies: true });
    console.log(`${name} in a browser bundle, dependencies included: ${(m.bytes / 1024).toFixed(1)} KB minified, ${(m.gzip / 1024).toFixed(1)} KB gzip; node: imports: ${m.nodeImports.length}`);
  }
}
