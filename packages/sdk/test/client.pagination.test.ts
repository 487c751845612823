import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { BASE, useMsw } from './msw.js';

const server = useMsw();
const client = () => createClient({ baseUrl: BASE, apiKey: 'ihfk_00000000_k' });

/** 7 consumers served in pages of `limit`, the cursor being the next offset. */
function serveConsumers() {
  const queries: Record<string, string>[] = [];
  const all = Array.from({ length: 7 }, (_, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name: `c${i}` }));
  server.use(
    http.get(`${BASE}/api/v2/admin/consumers`, ({ request }) => {
      const q = Object.fromEntries(new URL(request.url).searchParams);
      queries.push(q);
      const limit = Number(q.limit ?? 50);
      const offset = Number(q.cursor ?? 0);
      const data = all.slice(offset, offset + limit);
      return HttpResponse.json({ data, next_cursor: offset + limit < all.length ? String(offset + limit) : null });
    }),
  );
  return { queries, all };
}

describe('pagination', () => {
  it('awaiting a list method gives the first page', async () => {
    const { queries } = serveConsumers();
    const page = await client().admin.consumers.list({ query: { limit: 3 } });
    expect(page.data.map((c) => c.name)).toEqual(['c0', 'c1', 'c2']);
    expect(page.next_cursor).toBe('3');
    expect(queries).toEqual([{ limit: '3' }]);
  });

  it('for await iterates every item of every page, passing next_cursor and keeping the other query params', async () => {
    const { queries, all } = serveConsumers();
    const names: string[] = [];
    for await (const consumer of client().admin.consumers.list({ query: { limit: 3, is_active: 'true' } })) names.push(consumer.name);
    expect(names).toEqual(all.map((c) => c.name));
    expect(queries).toEqual([
      { limit: '3', is_active: 'true' },
      { limit: '3', is_active: 'true', cursor: '3' },
      { limit: '3', is_active: 'true', cursor: '6' },
    ]);
  });

  it('pages() yields whole pages, and breaking early stops fetching', async () => {
    const { queries } = serveConsumers();
    const sizes: number[] = [];
    for await (const page of client().admin.consumers.list({ query: { limit: 2 } }).pages()) {
      sizes.push(page.data.length);
      if (sizes.length === 2) break;
    }
    expect(sizes).toEqual([2, 2]);
    expect(queries).toHaveLength(2);
  });

  it('starts from a given cursor', async () => {
    serveConsumers();
    const names: string[] = [];
    for await (const c of client().admin.consumers.list({ query: { limit: 4, cursor: '5' } })) names.push(c.name);
    expect(names).toEqual(['c5', 'c6']);
  });

  it('non-list routes return a plain promise', async () => {
    server.use(http.get(`${BASE}/api/v2/me`, () => HttpResponse.json({ ok: 1 })));
    const result = client().me.get();
    expect(Symbol.asyncIterator in result).toBe(false);
    await expect(result).resolves.toEqual({ ok: 1 });
  });
});
