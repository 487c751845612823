// The success log's batcher: a batch leaves as soon as it is full, or once its first item
// has waited long enough; every caller learns its own batch's outcome.
import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

describe('batcher', () => {
  it('runs a full batch at once, without waiting', async () => {
    const batches: number[][] = [];
    const b = createBatcher(async (items: number[]) => void batches.push(items), { maxItems: 3, maxWaitMs: 60_000 });
    const started = performance.now();
    await Promise.all([1, 2, 3].map((i) => b.add(i)));
    expect(batches).toEqual([[1, 2, 3]]);
    expect(performance.now() - started).toBeLessThan(1000); // not the 60 s wait
  });

  it('runs what has gathered once the first item has waited maxWaitMs', async () => {
    const batches: number[][] = [];
    const b = createBatcher(async (items: number[]) => void batches.push(items), { maxItems: 100, maxWaitMs: 20 });
    const first = b.add(1);
    const second = b.add(2);
    expect(batches).toEqual([]);
    await Promise.all([first, second]);
    expect(batches).toEqual([[1, 2]]);
    await b.add(3); // a new batch, with its own wait
    expect(batches).toEqual([[1, 2], [3]]);
  });

  it("rejects every item of a failed batch, and only that batch's", async () => {
    const b = createBatcher(
      async (items: number[]) => {
        if (items.includes(0)) throw new Error('log refused');
      },
      { maxItems: 2, maxWaitMs: 10 },
    );
    const failed = [b.add(0), b.add(1)];
    const next = b.add(2);
    for (const p of failed) await expect(p).rejects.toThrow('log refused');
    await expect(next).resolves.toBeUndefined();
  });
});
