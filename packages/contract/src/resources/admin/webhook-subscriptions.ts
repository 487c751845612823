import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, listOf, PaginationQuery, Uuid } from '../../common.js';
import { EventTopicSchema } from '../../webhooks/topics.js';
import { WebhookSubscription } from '../webhook-subscriptions.js';

export const SubscriptionStateSchema = z
  .enum(['active', 'paused', 'disabled'])
  .describe('disabled: deliveries kept failing or the endpoint answered 410 (see `disabled_reason`); paused: `is_active` is false');

export const AdminWebhookSubscription = extendApi(
  WebhookSubscription.extend({
    consumer_id: Uuid.describe('The consumer that owns the subscription'),
    state: SubscriptionStateSchema,
  }),
  {
    title: 'AdminWebhookSubscription',
    example: {
      id: '7c5d0ec9-c2ef-4aef-8bce-9eafb0c1d2e3',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      event_type: 'annotation.created',
      target_url: 'https://hooks.example.com/ihf',
      state: 'disabled',
      is_active: true,
      disabled_at: '2026-11-25T10:30:00.000Z',
      disabled_reason: 'The endpoint answered 410 Gone.',
      consecutive_failures: 1,
      secret_rotated_at: null,
      previous_secret_expires_at: null,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T10:30:00.000Z',
    },
  },
);
export type AdminWebhookSubscription = z.infer<typeof AdminWebhookSubscription>;

const Filters = PaginationQuery.extend({
  state: SubscriptionStateSchema.optional(),
  event_type: EventTopicSchema.optional(),
});

const UpdateSubscription = extendApi(
  z.object({ is_active: z.boolean() }).strict(),
  {
    title: 'AdminUpdateWebhookSubscriptionRequest',
    description: '`true` re-enables a paused or disabled subscription (clearing the disable state and failure count); `false` pauses it.',
    example: { is_active: true },
  },
);

const tag = 'Admin: webhooks';
const list = listOf(AdminWebhookSubscription, 'AdminWebhookSubscriptionList');

export const adminWebhookSubscriptionsContract = c.router({
  list: {
    method: 'GET',
    path: '/admin/webhook-subscriptions',
    query: Filters.extend({ consumer_id: Uuid.optional() }),
    responses: { 200: list },
    summary: 'Webhook subscriptions across consumers, newest first',
    description: 'Filter by `state=disabled` for the endpoints that stopped receiving, with their `disabled_reason`. Deleted subscriptions are not listed.',
    metadata: adminMeta(tag),
  },
  listForConsumer: {
    method: 'GET',
    path: '/admin/consumers/:consumerId/webhook-subscriptions',
    pathParams: z.object({ consumerId: Uuid }),
    query: Filters,
    responses: { 200: list },
    summary: 'A consumer’s webhook subscriptions, newest first',
    metadata: adminMeta(tag),
  },
  update: {
    method: 'PATCH',
    path: '/admin/webhook-subscriptions/:subscriptionId',
    pathParams: z.object({ subscriptionId: Uuid }),
    body: UpdateSubscription,
    responses: { 200: AdminWebhookSubscription },
    summary: 'Re-enable or pause a subscription',
    description:
      'The operator’s re-enable, as the owner’s PATCH /webhook-subscriptions/{id} with `is_active` does. Messages dropped ' +
      'while it could not receive are not sent again by this; the owner recovers them with POST …/{id}/recover.',
    metadata: adminMeta(tag),
  },
});
