#!/usr/bin/env node
// `pnpm --filter @ihf/sdk test:pack`: builds the SDK, packs it with `npm pack`, installs
// the tarball into a scratch project under the OS temp dir (outside the workspace, from
// the npm registry for its dependencies), starts the real server on loopback, and runs
// the same consumer program as ESM (import) and as CommonJS (require). Slow (an npm
// install and a server boot), so it is a separate script, not part of `pnpm test`.
/* eslint-disable no-restricted-syntax -- a build-and-install script: its environment is its input, there is no server Config here */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const sdk = new URL('../..', import.meta.url).pathname;
const root = join(sdk, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'ihf-sdk-pack-'));
const run = (cmd, args, cwd, env = process.env) => execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

let server;
let dropDatabase = async () => {};
try {
  run('pnpm', ['run', 'build'], sdk);
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], sdk).trim().split('\n').pop();
  console.log(`packed ${tarball}`);

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'ihf-sdk-scratch', private: true, version: '0.0.0' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', join(work, tarball), 'standardwebhooks@1', 'msw@2'], app);
  const installed = JSON.parse(readFileSync(join(app, 'node_modules', '@ihf', 'sdk', 'package.json'), 'utf8'));
  console.log(`installed @ihf/sdk ${installed.version} with dependencies ${Object.keys(installed.dependencies).join(', ')}`);

  const env = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    IHF_ADMIN_TOKEN: `ihfadm_${randomBytes(32).toString('base64url')}`,
    IHF_SECRET_KEY: randomBytes(32).toString('base64'),
    EMBEDDED_PG_DIR: join(work, 'pg'),
  };
  if (process.env.DATABASE_URL) {
    // A fresh database on the given server; postgres.js is the server's own client.
    const postgres = createRequire(join(root, 'apps', 'server', 'package.json'))('postgres');
    const adminSql = postgres(process.env.DATABASE_URL, { max: 1, onnotice: () => {} });
    const name = `ihf_pack_${randomBytes(4).toString('hex')}`;
    await adminSql.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    dropDatabase = async () => {
      await adminSql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await adminSql.end();
    };
  }
  server = spawn(process.execPath, ['--import', 'tsx', join(root, 'apps', 'server', 'src', 'main.ts')], { cwd: join(root, 'apps', 'server'), env, stdio: ['ignore', 'pipe', 'inherit'] });
  const baseUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 120 s')), 120_000);
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    createInterface({ input: server.stdout }).on('line', (line) => {
      try {
        const entry = JSON.parse(line);
        if (entry.url && /listening/.test(entry.msg)) {
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
  });
  console.log(`server at ${baseUrl}`);

  const template = readFileSync(new URL('./consumer.template.js', import.meta.url), 'utf8');
  const names = {
    '@ihf/sdk': ['createClient', 'IhfApiError', 'NotFoundError', 'VERSION'],
    '@ihf/sdk/webhooks': ['generateWebhookSecret', 'signWebhook', 'verifyWebhook', 'WebhookSignatureError'],
    '@ihf/sdk/testing': ['createHandlers', 'fixture'],
    standardwebhooks: ['Webhook'],
  };
  const esm = Object.entries(names).map(([m, n]) => `import { ${n.join(', ')} } from '${m}';`).join('\n');
  const cjs = Object.entries(names).map(([m, n]) => `const { ${n.join(', ')} } = require('${m}');`).join('\n');
  writeFileSync(join(app, 'consumer.mjs'), template.replace('/* IMPORTS */', esm));
  writeFileSync(join(app, 'consumer.cjs'), template.replace('/* IMPORTS */', cjs));
  for (const [flavor, file] of [['esm', 'consumer.mjs'], ['cjs', 'consumer.cjs']]) {
    const consumerEnv = { ...process.env, IHF_URL: baseUrl, IHF_ADMIN_TOKEN: env.IHF_ADMIN_TOKEN, FLAVOR: flavor, SDK_VERSION: installed.version };
    const output = run(process.execPath, [file], app, consumerEnv).trimEnd();
    console.log(output.replace(/^/gm, `  [${flavor}] `));
  }
  // Types: the packed declarations resolve and type the client for `import` (.mts, ESM)
  // and `require` (.cts, CommonJS) consumers under Node16 resolution, with full lib checking.
  const typed = `
import { createClient, NotFoundError } from '@ihf/sdk';
import { verifyWebhook } from '@ihf/sdk/webhooks';
import { fixture } from '@ihf/sdk/testing';
const client = createClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'k', onRetry: (e) => console.log(e.operation, e.delayMs), logger: console, logLevel: 'info' });
export async function typed(): Promise<void> {
  const name: string = (await client.me.get()).consumer.name;
  const { data, response } = await client.me.get().withResponse();
  const remaining: number | undefined = response.rateLimit?.limiting.remaining;
  console.log(data.scopes.join(), response.status, response.requestId, remaining);
  const type = await client.admin.interactionTypes.create({ body: { name: 'scrolled' } }, { idempotencyKey: 'k', totalTimeoutMs: 5_000 });
  console.log(type.created_at);
  const created = await client.annotations.create({ body: { body: name, labels: [] } });
  const id: string = created.id;
  for await (const consumer of client.admin.consumers.list({ query: { limit: 10 } })) console.log(consumer.tier, id);
  // @ts-expect-error the contract has no such route
  client.annotations.destroy();
  // @ts-expect-error body is required
  await client.annotations.create();
  const event = await verifyWebhook('', {}, 'whsec_x');
  if (event.type === 'annotation.created') console.log(event.data.labels.join());
  console.log(fixture('me.get').scopes, new NotFoundError(404, {}, new Headers()).status);
}
`;
  writeFileSync(join(app, 'typed.mts'), typed);
  writeFileSync(join(app, 'typed.cts'), typed);
  const compilerOptions = { module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, types: [] };
  writeFileSync(join(app, 'tsconfig.esm.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: false }, files: ['typed.mts'] }));
  // skipLibCheck for the CommonJS check only: msw's own CJS declarations import the
  // ESM-only `rettime` (TS1479 inside node_modules/msw), which is not ours to fix.
  writeFileSync(join(app, 'tsconfig.cjs.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: true }, files: ['typed.cts'] }));
  for (const config of ['tsconfig.esm.json', 'tsconfig.cjs.json']) {
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(app, config)], app);
  }
  console.log('  [types] typed.mts (import) and typed.cts (require) type-check against the packed declarations');
  console.log('test:pack passed');
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
  await dropDatabase();
  rmSync(work, { recursive: true, force: true });
}
