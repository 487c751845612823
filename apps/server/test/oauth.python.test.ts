// The client-credentials flow from another language: Python's oauthlib prepares the token
// request and validates the response (scope included), urllib carries it, and curl does
// the same by hand. Skipped, visibly, where /usr/bin/python3 lacks oauthlib.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/harness.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./fixtures/oauth/client_credentials.py', import.meta.url));
const hasOauthlib = spawnSync(PYTHON, ['-c', 'import oauthlib'], { stdio: 'ignore' }).status === 0;
const hasCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;

let t: TestServer;
let consumerId: string;
let secret: string;

beforeAll(async () => {
  t = await startTestServer();
  ({ consumerId, key: secret } = await t.consumerWithKey(['annotations:read', 'usage:read']));
});
afterAll(() => t?.close());

// Asynchronous: the server runs in this process, so a blocking child would starve it.
const run = promisify(execFile);

async function python(scope: string, method: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(PYTHON, [SCRIPT, t.url, consumerId, secret, scope, method], { encoding: 'utf8', timeout: 20_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe.skipIf(!hasOauthlib)('Python oauthlib', () => {
  for (const method of ['client_secret_basic', 'client_secret_post']) {
    it(`runs the whole flow with ${method}`, async () => {
      const r = await python('usage:read', method);
      expect(r).toMatchObject({
        issuer: t.url,
        token_status: 200,
        cache_control: 'no-store',
        token_type: 'Bearer',
        scope: ['usage:read'],
        expires_in: 3600,
        me_status: 200,
        me_scopes: ['usage:read'],
        introspection: { active: true, client_id: consumerId, scope: 'usage:read' },
        revoke_status: 200,
        me_after_revoke: 401,
      });
    });
  }

  it('gets invalid_scope back as oauthlib’s own error', async () => {
    expect(await python('admin', 'client_secret_basic')).toMatchObject({ token_status: 400, error: 'invalid_scope' });
  });
});

describe.skipIf(!hasCurl)('curl', () => {
  it('gets a token with --user (HTTP Basic) and a form body', async () => {
    const { stdout: out } = await run(
      'curl',
      ['-sS', '--fail-with-body', '--user', `${consumerId}:${secret}`, '-d', 'grant_type=client_credentials', '-d', 'scope=annotations:read', `${t.url}/api/v2/token`],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(JSON.parse(out)).toMatchObject({ token_type: 'Bearer', scope: 'annotations:read', expires_in: 3600 });
  });
});
