import { generateSchema } from '@anatine/zod-openapi';
import type { OpenAPIObject, SchemaObject } from 'openapi3-ts/oas30';
import { EVENT_TOPICS } from './topics.js';
import { WEBHOOK_PAYLOAD_SCHEMAS, WEBHOOK_PAYLOAD_TITLES, WEBHOOK_TOPIC_DESCRIPTIONS } from './events.js';

const SIGNATURE_HEADERS = {
  'webhook-id': { description: 'Message id; the same for every attempt of one event to one subscription', schema: { type: 'string' } },
  'webhook-timestamp': { description: 'Unix seconds when this attempt was signed', schema: { type: 'string' } },
  'webhook-signature': {
    description: 'Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>` (two during a secret rotation)',
    schema: { type: 'string' },
  },
};

/**
 * Puts each webhook payload schema in components.schemas (one per topic, plus the
 * union), and describes the deliveries under `x-webhooks` (OpenAPI 3.1's `webhooks`,
 * carried as an extension in this 3.0 document).
 */
export function addWebhookPayloads(doc: OpenAPIObject): void {
  const schemas: Record<string, SchemaObject> = { ...(doc.components?.schemas as Record<string, SchemaObject>) };
  const webhooks: Record<string, unknown> = {};
  for (const topic of EVENT_TOPICS) {
    const title = WEBHOOK_PAYLOAD_TITLES[topic];
    schemas[title] = generateSchema(WEBHOOK_PAYLOAD_SCHEMAS[topic]) as SchemaObject;
    webhooks[topic] = {
      post: {
        summary: WEBHOOK_TOPIC_DESCRIPTIONS[topic],
        operationId: `webhook_${topic.replace('.', '_')}`,
        tags: ['Webhooks'],
        parameters: Object.entries(SIGNATURE_HEADERS).map(([name, h]) => ({ name, in: 'header', required: true, ...h })),
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${title}` } } } },
        responses: {
          '2XX': { description: 'Delivered' },
          '410': { description: 'Gone: the subscription is disabled at once' },
          default: { description: 'Failed: retried on the schedule (Retry-After honoured on 429 and 503)' },
        },
      },
    };
  }
  schemas.WebhookEvent = {
    oneOf: EVENT_TOPICS.map((t) => ({ $ref: `#/components/schemas/${WEBHOOK_PAYLOAD_TITLES[t]}` })),
    discriminator: {
      propertyName: 'type',
      mapping: Object.fromEntries(EVENT_TOPICS.map((t) => [t, `#/components/schemas/${WEBHOOK_PAYLOAD_TITLES[t]}`])),
    },
  };
  doc.components = { ...doc.components, schemas };
  (doc as OpenAPIObject & { 'x-webhooks'?: unknown })['x-webhooks'] = webhooks;
}
