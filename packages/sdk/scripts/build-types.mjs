#!/usr/bin/env node
// Builds self-contained declarations for each public entry, as .d.ts (import) and
// .d.cts (require). The contract is a private workspace package that the JS build
// bundles; its types must be inlined the same way, which tsup's dts step cannot do
// for TypeScript sources outside the package. So: tsc emits declarations for the SDK
// and the contract (stage 1), and rollup-plugin-dts bundles each entry with the
// contract resolved to those declarations (stage 2). One bundle per entry, no shared
// chunks, so a .d.cts never imports an ESM-typed declaration file.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { rollup } from 'rollup';
import { dts } from 'rollup-plugin-dts';
import { writeContractIndexDeclaration } from './contract-declarations.mjs';

const pkg = new URL('..', import.meta.url).pathname;
const stage = join(pkg, '.types');
rmSync(stage, { recursive: true, force: true });
try {
  execFileSync(join(pkg, 'node_modules', '.bin', 'tsc'), ['-p', join(pkg, 'tsconfig.types.json')], { encoding: 'utf8' });
} catch (error) {
  // The one expected error: TS7056 on `contract` in the contract's index.ts (see contract-declarations.mjs).
  const errors = String(error.stdout).split('\n').filter((line) => /error TS\d+/.test(line));
  const unexpected = errors.filter((line) => !/contract\/src\/index\.ts\(\d+,\d+\): error TS7056/.test(line));
  if (unexpected.length > 0 || errors.length === 0) {
    process.stderr.write(String(error.stdout));
    process.exit(1);
  }
}
writeContractIndexDeclaration(join(pkg, '..', 'contract', 'src', 'index.ts'), join(stage, 'contract', 'src', 'index.d.ts'));

const entries = { index: 'index', 'webhooks/index': 'webhooks/index', 'testing/index': 'testing/index' };
for (const [name, source] of Object.entries(entries)) {
  const bundle = await rollup({
    input: join(stage, 'sdk', 'src', `${source}.d.ts`),
    plugins: [
      { name: 'contract-declarations', resolveId: (id) => (id === '@ihf/contract' ? join(stage, 'contract', 'src', 'index.d.ts') : null) },
      dts({ respectExternal: true }),
    ],
    external: (id) => /^(zod|@ts-rest\/core|msw)(\/|$)/.test(id),
  });
  const file = join(pkg, 'dist', `${name}.d.ts`);
  await bundle.write({ file, format: 'es' });
  await bundle.close();
  copyFileSync(file, file.replace(/\.d\.ts$/, '.d.cts'));
}
rmSync(stage, { recursive: true, force: true });
