// Runs inside a scratch project outside the workspace, against the packed tarball and
// a live server. run.mjs writes it out twice: as ESM (import) and as CommonJS (require).
/* IMPORTS */
/* global createClient, IhfApiError, NotFoundError, VERSION, generateWebhookSecret, signWebhook, verifyWebhook, WebhookSignatureError, createHandlers, fixture, Webhook -- bound by the import lines run.mjs writes above */
/* eslint-disable no-restricted-syntax -- a standalone program: its environment is its input */
const assert = (ok, what) => {
  if (!ok) throw new Error(`assertion failed: ${what}`);
};
const { IHF_URL: baseUrl, IHF_ADMIN_TOKEN: adminToken, FLAVOR: flavor, SDK_VERSION: sdkVersion } = process.env;

async function main() {
  const admin = createClient({ baseUrl, apiKey: adminToken });
  const consumer = await admin.admin.consumers.create({ body: { name: `pack ${flavor}` } });
  const issued = await admin.admin.keys.create({
    params: { consumerId: consumer.id },
    body: { scopes: ['annotations:read', 'annotations:write'] },
  });
  const client = createClient({ baseUrl, apiKey: issued.key });
  const created = [];
  for (let i = 0; i < 3; i++) created.push(await client.annotations.create({ body: { body: `note ${i}`, labels: [flavor] } }));
  const seen = [];
  for await (const a of client.annotations.list({ query: { limit: 2 } })) seen.push(a.id);
  assert(created.every((a) => seen.includes(a.id)), 'pagination saw every created annotation');

  let notFound;
  try {
    await client.annotations.get({ params: { id: '00000000-0000-4000-8000-000000000000' } });
  } catch (e) {
    notFound = e;
  }
  assert(notFound instanceof NotFoundError && notFound instanceof IhfApiError, 'a 404 is a NotFoundError');
  assert(typeof notFound.requestId === 'string' && notFound.code === 'not_found', 'the error carries code and request id');

  const oauth = createClient({ baseUrl, clientId: consumer.id, clientSecret: issued.key, scope: 'annotations:read' });
  const me = await oauth.me.get();
  assert(me.credential.token_type === 'oauth' && me.scopes.join() === 'annotations:read', 'OAuth token in use');

  // A webhook signed by the Standard Webhooks reference library, carrying a record from the live server.
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ type: 'annotation.created', timestamp: new Date().toISOString(), data: created[0] });
  const at = new Date();
  const headers = { 'webhook-id': 'msg_pack', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign('msg_pack', at, body) };
  const event = await verifyWebhook(body, headers, secret);
  assert(event.type === 'annotation.created' && event.data.id === created[0].id, 'reference-signed webhook verified');
  let tampered;
  try {
    await verifyWebhook(body.replace('note 0', 'note 9'), headers, secret);
  } catch (e) {
    tampered = e;
  }
  assert(tampered instanceof WebhookSignatureError, 'tampered webhook refused');
  const ours = await signWebhook(JSON.parse(body), secret);
  assert(new Webhook(secret).verify(ours.body, ours.headers).type === 'annotation.created', 'reference library verifies signWebhook');

  assert(createHandlers().length > 10 && fixture('me.get').consumer, 'testing helpers load');

  await observability(client);
  await retriedAdminCreate();
  console.log(`ok ${flavor}: client (static key + OAuth), pagination, typed errors, withResponse + rate limits, hooks + redaction, a retried admin create, webhooks, testing helpers`);
}

/** withResponse, the RateLimit headers, hooks and logger, with credentials redacted. */
async function observability(client) {
  const { data: me, response } = await client.me.get().withResponse();
  assert(me.consumer && response.status === 200 && typeof response.requestId === 'string', 'withResponse gives body, status and request id');
  assert(response.rateLimit && response.rateLimit.policies.length > 0 && Number.isInteger(response.rateLimit.limiting.remaining), 'withResponse parses RateLimit');
  const page = await client.annotations.list({ query: { limit: 1 } }).withResponse();
  assert(page.data.data.length === 1 && page.response.status === 200, 'withResponse on a list');

  const seen = { requests: [], responses: [], lines: [] };
  const log = (level) => (message, details) => seen.lines.push(`${level} ${message} ${JSON.stringify(details ?? {})}`);
  const observed = createClient({
    baseUrl,
    apiKey: adminToken,
    onRequest: (e) => seen.requests.push(e),
    onResponse: (e) => seen.responses.push({ operation: e.operation, status: e.status, body: e.body }),
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    logLevel: 'debug',
  });
  const consumer = await observed.admin.consumers.create({ body: { name: `pack hooks ${flavor}` } });
  const key = await observed.admin.keys.create({ params: { consumerId: consumer.id }, body: { scopes: ['annotations:read'] } });
  const request = seen.requests.find((e) => e.operation === 'admin.keys.create');
  assert(request && request.headers.authorization === 'Bearer [REDACTED]', 'onRequest sees the Authorization header redacted');
  assert(request.headers['x-ihf-client'] === `ihf-sdk-js/${sdkVersion}` && VERSION === sdkVersion, 'X-IHF-Client carries the installed version');
  const answer = seen.responses.find((e) => e.operation === 'admin.keys.create');
  assert(answer.status === 201 && answer.body.key === '[REDACTED]' && key.key.startsWith('ihfk_'), 'onResponse sees the new key redacted; the caller gets it');
  const logged = seen.lines.join('\n');
  assert(seen.lines.length >= 4 && !logged.includes(adminToken) && !logged.includes(key.key), 'the debug log holds neither the admin token nor the new key');
}

/**
 * An admin create whose answer is lost on the way back (the server did create it) is resent
 * with the same Idempotency-Key and answered with the first result: created once.
 */
async function retriedAdminCreate() {
  let lost = 0;
  const retries = [];
  const lossyFetch = async (url, init) => {
    const response = await fetch(url, init);
    if (init.method === 'POST' && url.endsWith('/api/v2/admin/interaction-types') && lost++ === 0) {
      await response.text();
      throw new TypeError('fetch failed: the connection closed before the answer arrived');
    }
    return response;
  };
  const admin = createClient({ baseUrl, apiKey: adminToken, fetch: lossyFetch, retry: { initialDelayMs: 10 }, onRetry: (e) => retries.push(e) });
  const name = `pack_${flavor}`;
  const { data, response } = await admin.admin.interactionTypes.create({ body: { name, description: 'from the pack test' } }).withResponse();
  // Had the retry carried a new key, the server would have answered it 409 (the name exists).
  assert(response.status === 201 && data.name === name, 'the retried create resolves to the created type');
  assert(retries.length === 1 && retries[0].operation === 'admin.interactionTypes.create', 'onRetry saw one retry');
  let again;
  try {
    await admin.admin.interactionTypes.create({ body: { name } });
  } catch (e) {
    again = e;
  }
  assert(again instanceof IhfApiError && again.status === 409, 'a new create of the same name (a new key) is a 409: the retry above reused its key');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
