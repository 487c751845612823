// Runs inside a scratch project outside the workspace, against the packed tarball and
// a live server. run.mjs writes it out twice: as ESM (import) and as CommonJS (require).
/* IMPORTS */
/* global createClient, IhfApiError, NotFoundError, generateWebhookSecret, signWebhook, verifyWebhook, WebhookSignatureError, createHandlers, fixture, Webhook -- bound by the import lines run.mjs writes above */
/* eslint-disable no-restricted-syntax -- a standalone program: its environment is its input */
const assert = (ok, what) => {
  if (!ok) throw new Error(`assertion failed: ${what}`);
};
const { IHF_URL: baseUrl, IHF_ADMIN_TOKEN: adminToken, FLAVOR: flavor } = process.env;

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
  console.log(`ok ${flavor}: client (static key + OAuth), pagination, typed errors, webhooks, testing helpers`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
