import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const sdkVersion = (JSON.parse(readFileSync(new URL('./packages/sdk/package.json', import.meta.url), 'utf8')) as { version: string }).version;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'server',
          include: ['apps/server/{src,test}/**/*.test.ts'],
          exclude: ['**/*.netns.test.ts'],
          globalSetup: ['apps/server/test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // Run only inside a loopback-only network namespace (scripts/test.mjs); a test that needs
        // a database starts an embedded PostgreSQL on the namespace's loopback.
        test: {
          name: 'netns',
          include: ['**/*.netns.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'contract',
          include: ['packages/contract/{src,test}/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // The web apps: serving over HTTP, and real Chromium (Debian's package) driving the
        // console and the portal; browser tests are skipped, and counted, where none is found.
        test: {
          name: 'web',
          include: ['apps/web/test/**/*.test.ts'],
          globalSetup: ['apps/server/test/support/global-setup.ts', 'apps/web/test/global-setup.ts'],
          // One browser at a time: Chromium is heavy on a small machine.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'ops',
          include: ['ops/**/*.test.ts'],
        },
      },
      {
        // As the SDK's build does (tsup.config.ts): its version, for X-IHF-Client.
        define: { __IHF_SDK_VERSION__: JSON.stringify(sdkVersion) },
        test: {
          name: 'sdk',
          include: ['packages/sdk/{src,test}/**/*.test.ts'],
          testTimeout: 30_000,
        },
      },
    ],
  },
});
