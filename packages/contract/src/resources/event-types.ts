import { extendApi, generateSchema } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, publicMeta } from '../common.js';
import { WEBHOOK_PAYLOAD_SCHEMAS, WEBHOOK_TOPIC_DESCRIPTIONS } from '../webhooks/events.js';
import { EVENT_TOPICS, EventTopicSchema } from '../webhooks/topics.js';

export const EventTypeEntry = extendApi(
  z.object({
    type: EventTopicSchema,
    description: z.string(),
    schema: extendApi(z.record(z.unknown()), {
      additionalProperties: true,
      description: 'JSON Schema (OpenAPI 3.0 dialect) of the whole webhook body for this topic',
    }),
  }),
  { title: 'WebhookEventType' },
);

export const eventTypesContract = c.router({
  list: {
    method: 'GET',
    path: '/event-types',
    responses: { 200: extendApi(z.object({ data: z.array(EventTypeEntry) }), { title: 'WebhookEventTypeList' }) },
    summary: 'The webhook event catalog',
    description: 'Every topic a subscription can name, with the JSON Schema of its payload.',
    metadata: publicMeta('Webhooks'),
  },
});

/** The catalog GET /event-types answers with; the same schemas go into the OpenAPI document. */
export function eventCatalog() {
  return EVENT_TOPICS.map((type) => ({
    type,
    description: WEBHOOK_TOPIC_DESCRIPTIONS[type],
    schema: generateSchema(WEBHOOK_PAYLOAD_SCHEMAS[type]) as Record<string, unknown>,
  }));
}
