import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

const arrays = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const objects = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`);

describe('nestsDeeperThan', () => {
  it('lets scalars and bodies up to the limit through', () => {
    for (const v of [undefined, null, 1, 'x', {}, [], { a: [1, { b: 2 }] }]) expect(nestsDeeperThan(v)).toBe(false);
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH))).toBe(false);
    expect(nestsDeeperThan(objects(MAX_JSON_DEPTH))).toBe(false);
  });

  it('catches one level more, in arrays or objects, and 100,000 levels without overflowing', () => {
    expect(nestsDeeperThan(arrays(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan(objects(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(nestsDeeperThan({ ok: [1], deep: arrays(100_000) })).toBe(true);
  });
});
