import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, listOf, PaginationQuery, Timestamp, Uuid } from '../../common.js';
import { EventTopicSchema } from '../../webhooks/topics.js';
import { DeliveryStatusSchema, WebhookDelivery } from '../webhook-subscriptions.js';

export const AdminWebhookDelivery = extendApi(
  WebhookDelivery.extend({
    consumer_id: Uuid.describe('The consumer that owns the subscription'),
    target_url: z.string().describe('Where the subscription delivers now (it may have changed since the attempt)'),
  }),
  { title: 'AdminWebhookDelivery' },
);

const tag = 'Admin: webhooks';

export const adminWebhooksContract = c.router({
  deliveries: {
    method: 'GET',
    path: '/admin/webhook-deliveries',
    query: PaginationQuery.extend({
      from: Timestamp.optional().describe('Only attempts at or after this time'),
      to: Timestamp.optional().describe('Only attempts before this time'),
      consumer_id: Uuid.optional(),
      subscription_id: Uuid.optional(),
      status: DeliveryStatusSchema.optional(),
      event_type: EventTopicSchema.optional(),
    }),
    responses: { 200: listOf(AdminWebhookDelivery, 'AdminWebhookDeliveryList') },
    summary: 'Delivery attempts across subscriptions, newest first',
    description:
      'Webhook health at a glance: every attempt of every subscription, filterable by consumer, subscription, ' +
      'status (e.g. `failed`), topic and time. Each row is one attempt, as in a subscription’s own delivery log.',
    metadata: adminMeta(tag),
  },
});
export type AdminWebhookDelivery = z.infer<typeof AdminWebhookDelivery>;
