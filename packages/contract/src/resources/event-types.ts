import { extendApi, generateSchema } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, listOf, PaginationQuery, publicMeta, Timestamp } from '../common.js';
import { WEBHOOK_DATA_SCHEMAS, WEBHOOK_PAYLOAD_SCHEMAS, WEBHOOK_TOPIC_DESCRIPTIONS } from '../webhooks/events.js';
import { EVENT_TOPICS, EventTopicSchema, type EventTopic } from '../webhooks/topics.js';

export const EventTypeEntry = extendApi(
  z.object({
    type: EventTopicSchema,
    description: z.string(),
    schema: extendApi(z.record(z.unknown()), {
      additionalProperties: true,
      description:
        'JSON Schema (draft 4) of the whole webhook body for this topic: the OpenAPI document’s schema of it, with ' +
        '`nullable` written as a `"null"` type so that any JSON Schema validator reads it',
    }),
    example: extendApi(z.record(z.unknown()), {
      additionalProperties: true,
      description: 'An example webhook body of this type, valid against `schema`',
    }),
  }),
  { title: 'WebhookEventType' },
);

export const InteractionType = extendApi(
  z.object({ name: z.string(), description: z.string().nullable(), created_at: Timestamp }),
  { title: 'InteractionType', example: { name: 'scrolled', description: 'An actor scrolled a subject into view', created_at: '2026-11-25T10:00:00.000Z' } },
);
export type InteractionType = z.infer<typeof InteractionType>;

export const eventTypesContract = c.router({
  list: {
    method: 'GET',
    path: '/event-types',
    responses: { 200: listOf(EventTypeEntry, 'WebhookEventTypeList') },
    summary: 'The webhook event catalog',
    description:
      'Every topic a subscription can name, with the JSON Schema of its payload and an example payload. The catalog is ' +
      'fixed by the API version and small, so it comes in one page: `next_cursor` is always null.',
    metadata: publicMeta('Webhooks'),
  },
  listInteractionTypes: {
    method: 'GET',
    path: '/interaction-types',
    query: PaginationQuery,
    responses: { 200: listOf(InteractionType, 'InteractionTypeList') },
    summary: 'The registry of interaction event types',
    description: 'The values `event_type` of an interaction event may take, by name.',
    metadata: consumerMeta('Interaction events', ['interaction-events:read']),
  },
});

/** A webhook body of the topic built from its record's example in the contract, sent when the record was created. */
function examplePayload(type: EventTopic): Record<string, unknown> {
  const data = generateSchema(WEBHOOK_DATA_SCHEMAS[type]).example as { created_at: string };
  return { type, timestamp: data.created_at, data };
}

/** The catalog GET /event-types answers with; the same schemas go into the OpenAPI document. */
export function eventCatalog() {
  return EVENT_TOPICS.map((type) => ({
    type,
    description: WEBHOOK_TOPIC_DESCRIPTIONS[type],
    schema: generateSchema(WEBHOOK_PAYLOAD_SCHEMAS[type]) as Record<string, unknown>,
    example: examplePayload(type),
  }));
}
