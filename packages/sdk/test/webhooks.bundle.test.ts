// The published `@ihf/sdk/webhooks` is built through scripts/lean-contract.mjs (spec
// metadata and routes stripped from the contract). This builds the entry the same way
// and checks that it validates exactly as the source does, and that it reaches no Node
// module, no server code and no ts-rest.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EVENT_TOPICS, WEBHOOK_PAYLOAD_SCHEMAS } from '@ihf/contract';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error an .mjs build script without declarations
import { leanContract } from '../scripts/lean-contract.mjs';
import { sample } from '../src/testing/index.js';
import * as source from '../src/webhooks/index.js';

const pkg = new URL('..', import.meta.url).pathname;
let lean: typeof source;
let imports: string[];
let file: string;

beforeAll(async () => {
  const result = await build({
    absWorkingDir: pkg,
    entryPoints: ['src/webhooks/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    external: ['zod'],
    mainFields: ['module', 'main'],
    alias: { '@anatine/zod-openapi': './src/internal/zod-openapi.ts' },
    plugins: [leanContract],
    metafile: true,
    write: false,
  });
  imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  // Under the package's node_modules so the bundle's `zod` import resolves.
  const dir = join(pkg, 'node_modules', '.ihf-lean-test');
  mkdirSync(dir, { recursive: true });
  file = join(dir, `webhooks-${process.pid}.mjs`);
  writeFileSync(file, result.outputFiles[0]!.text);
  lean = (await import(pathToFileURL(file).href)) as typeof source;
});

afterAll(() => rmSync(file, { force: true }));

describe('the lean webhooks bundle', () => {
  it('imports only zod: no node: module, no server code, no ts-rest', () => {
    expect([...new Set(imports)]).toEqual(['zod']);
  });

  it.each(EVENT_TOPICS)('verifies and types %s exactly as the source does', async (topic) => {
    const secret = source.generateWebhookSecret();
    const { body, headers } = await source.signWebhook(sample(WEBHOOK_PAYLOAD_SCHEMAS[topic]), secret);
    await expect(lean.verifyWebhook(body, headers, secret)).resolves.toEqual(await source.verifyWebhook(body, headers, secret));
  });

  it('refuses what the source refuses, with its own error classes', async () => {
    const secret = source.generateWebhookSecret();
    const event = sample(WEBHOOK_PAYLOAD_SCHEMAS['outcome_signal.created']);
    const invalid = await source.signWebhook({ ...event, data: { ...event.data, value: 'high' } }, secret);
    const e1 = await lean.verifyWebhook(invalid.body, invalid.headers, secret).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(lean.WebhookPayloadError);
    expect((e1 as source.WebhookPayloadError).issues.map((i) => i.path.join('.'))).toEqual(['data.value']);
    const unknown = await source.signWebhook({ ...event, type: 'outcome_signal.deleted' }, secret);
    await expect(lean.verifyWebhook(unknown.body, unknown.headers, secret)).rejects.toBeInstanceOf(lean.WebhookUnknownTypeError);
    const ok = await source.signWebhook(event, secret);
    await expect(lean.verifyWebhook(ok.body.replace('{', '{ '), ok.headers, secret)).rejects.toBeInstanceOf(lean.WebhookSignatureError);
  });
});
