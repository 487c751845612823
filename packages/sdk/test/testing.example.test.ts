// The example from the README's "Testing your integration" section, run as written:
// an integration under test, the SDK's msw handlers standing in for the API.
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createClient, NotFoundError, type IhfClient } from '../src/index.js';
import { createHandlers, fixture, problemResponse } from '../src/testing/index.js';

// --- the code under test: yours ---
async function labelsInUse(client: IhfClient): Promise<string[]> {
  const labels = new Set<string>();
  for await (const annotation of client.annotations.list({ query: { limit: 100 } })) {
    for (const label of annotation.labels) labels.add(label);
  }
  return [...labels].sort();
}

// --- the test ---
const server = setupServer(...createHandlers({ baseUrl: 'http://ihf.test' }));
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const client = createClient({ baseUrl: 'http://ihf.test', apiKey: 'ihfk_00000000_test' });

it('collects the labels of every page of annotations', async () => {
  const annotation = fixture('annotations.get');
  server.use(
    ...createHandlers({
      baseUrl: 'http://ihf.test',
      routes: {
        'annotations.list': ({ request }) =>
          new URL(request.url).searchParams.get('cursor')
            ? { data: [{ ...annotation, labels: ['ux', 'billing'] }], next_cursor: null }
            : { data: [{ ...annotation, labels: ['ux'] }], next_cursor: 'page-2' },
      },
    }),
  );
  expect(await labelsInUse(client)).toEqual(['billing', 'ux']);
});

it('every other route answers a valid fixture', async () => {
  const me = await client.me.get();
  expect(me).toEqual(fixture('me.get'));
});

it('errors are problem documents, as from the real API', async () => {
  server.use(...createHandlers({ baseUrl: 'http://ihf.test', routes: { 'annotations.get': () => problemResponse('not_found') } }));
  await expect(client.annotations.get({ params: { id: '00000000-0000-4000-8000-000000000000' } })).rejects.toBeInstanceOf(NotFoundError);
});

it('request bodies are checked against the contract (422 with field errors)', async () => {
  const error = await client.annotations
    // @ts-expect-error body is required by the contract; the handler refuses it like the server does
    .create({ body: { labels: 'not-an-array' } })
    .catch((e: unknown) => e);
  expect(error).toMatchObject({ status: 422, code: 'validation_failed' });
});
