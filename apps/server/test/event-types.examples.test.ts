// The event catalog's example payloads (the portal's Event types screen shows one per
// topic): each is valid against the JSON Schema served beside it, read by a plain JSON
// Schema validator, and against the contract's webhook event schema the SDK verifies with.
import { Validator } from 'jsonschema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TOPICS, WebhookEventSchema } from '@ihf/contract';
import { startTestServer, type TestServer } from './support/harness.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t?.close());

describe('GET /api/v2/event-types examples', () => {
  it('gives every topic an example payload valid against its schema', async () => {
    const res = await t.request('/api/v2/event-types');
    expect(res.status).toBe(200);
    const { data, next_cursor } = (await res.json()) as {
      data: { type: string; schema: Record<string, unknown>; example: Record<string, unknown> }[];
      next_cursor: null;
    };
    expect(next_cursor).toBeNull();
    expect(data.map((d) => d.type).sort()).toEqual([...EVENT_TOPICS].sort());
    const validator = new Validator();
    for (const { type, schema, example } of data) {
      expect(example.type, type).toBe(type);
      expect(validator.validate(example, schema).errors.map(String), type).toEqual([]);
      expect(WebhookEventSchema.safeParse(example).success, type).toBe(true);
      // The schema is strict enough that the example is not valid for another topic.
      const other = data.find((d) => d.type !== type)!;
      expect(validator.validate(example, other.schema).valid, `${type} against ${other.type}`).toBe(false);
    }
  });
});
