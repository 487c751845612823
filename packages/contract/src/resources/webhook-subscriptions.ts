import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, IdempotencyHeaders, listOf, PaginationQuery, Problem, Timestamp, Uuid } from '../common.js';
import { EventTopicSchema } from '../webhooks/topics.js';

const TargetUrl = z
  .string()
  .max(2048)
  .url()
  // zod runs refinements after a failed `.url()` too: a value URL cannot parse is left to that error.
  .refine((u) => !URL.canParse(u) || /^https?:$/.test(new URL(u).protocol), { message: 'Must be an http(s) URL' })
  .describe(
    'Where events are POSTed. Must not be, or resolve to, a loopback, private, link-local, CGNAT, multicast, ' +
      'unique-local or IPv4-mapped address.',
  );

export const WebhookSubscription = extendApi(
  z.object({
    id: Uuid,
    event_type: EventTopicSchema,
    target_url: z.string(),
    is_active: z.boolean(),
    disabled_at: Timestamp.nullable().describe('Set when deliveries kept failing (or the endpoint answered 410)'),
    disabled_reason: z.string().nullable(),
    consecutive_failures: z.number().int(),
    secret_rotated_at: Timestamp.nullable(),
    previous_secret_expires_at: Timestamp.nullable().describe('Until then, deliveries are also signed with the previous secret'),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  {
    title: 'WebhookSubscription',
    example: {
      id: '7c5d0ec9-c2ef-4aef-8bce-9eafb0c1d2e3',
      event_type: 'annotation.created',
      target_url: 'https://hooks.example.com/ihf',
      is_active: true,
      disabled_at: null,
      disabled_reason: null,
      consecutive_failures: 0,
      secret_rotated_at: null,
      previous_secret_expires_at: null,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type WebhookSubscription = z.infer<typeof WebhookSubscription>;

const secret = z.string().describe('The signing secret (`whsec_…`); GET /webhook-subscriptions/{id}/secret shows it again');

export const WebhookSecret = extendApi(
  z.object({ subscription_id: Uuid, secret }),
  {
    title: 'WebhookSecret',
    example: { subscription_id: '7c5d0ec9-c2ef-4aef-8bce-9eafb0c1d2e3', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
  },
);

export const WebhookSubscriptionWithSecret = extendApi(WebhookSubscription.extend({ secret }), {
  title: 'WebhookSubscriptionWithSecret',
});

const CreateSubscription = extendApi(z.object({ event_type: EventTopicSchema, target_url: TargetUrl }).strict(), {
  title: 'CreateWebhookSubscriptionRequest',
  example: { event_type: 'annotation.created', target_url: 'https://hooks.example.com/ihf' },
});

const UpdateSubscription = extendApi(
  z.object({ target_url: TargetUrl, is_active: z.boolean() }).partial().strict(),
  {
    title: 'UpdateWebhookSubscriptionRequest',
    description: 'Setting `is_active: true` re-enables a disabled subscription and resets its failure count.',
    example: { is_active: true },
  },
);

export const DeliveryStatusSchema = z.enum(['pending', 'delivered', 'failed']);

export const WebhookDelivery = extendApi(
  z.object({
    id: Uuid,
    subscription_id: Uuid,
    message_id: z.string().describe('The `webhook-id` header: the same for every attempt of one event'),
    event_type: z.string(),
    attempt: z.number().int().describe('1 for the first attempt'),
    status: DeliveryStatusSchema,
    response_code: z.number().int().nullable(),
    response_body: z.string().nullable().describe('The first bytes of the receiver’s answer'),
    latency_ms: z.number().int().nullable(),
    error_message: z.string().nullable(),
    attempted_at: Timestamp,
  }),
  { title: 'WebhookDelivery' },
);
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const QueuedMessage = extendApi(
  z.object({ message_id: z.string(), subscription_id: Uuid, event_type: z.string(), queued_at: Timestamp }),
  { title: 'QueuedWebhookMessage' },
);

export const RecoveredMessages = extendApi(
  z.object({
    subscription_id: Uuid,
    since: Timestamp,
    queued: z.number().int().describe('Messages queued for one more attempt'),
  }),
  { title: 'RecoveredWebhookMessages', example: { subscription_id: '7c5d0ec9-c2ef-4aef-8bce-9eafb0c1d2e3', since: '2026-11-25T00:00:00.000Z', queued: 42 } },
);

const SubParams = z.object({ id: Uuid });
const tag = 'Webhooks';
const manage = ['webhooks:manage'] as const;

export const webhookSubscriptionsContract = c.router({
  create: {
    method: 'POST',
    path: '/webhook-subscriptions',
    body: CreateSubscription,
    headers: IdempotencyHeaders,
    responses: { 201: WebhookSubscriptionWithSecret, 409: Problem },
    summary: 'Subscribe to an event type',
    description:
      'The answer carries the signing secret (GET …/{id}/secret shows it again). A webhook carries the whole record, so the caller also ' +
      'needs the read scope of its records (e.g. `annotations:read` for `annotation.created`). A portal credential ' +
      '(which carries no read scope) may subscribe to a topic when one of its consumer’s static keys that works now ' +
      '(neither revoked nor expired) holds that read scope: nothing reaches a consumer that could not read it. Hub ' +
      'consumers may only subscribe to event types in their manifest (403 without the read scope, 422 outside the manifest).',
    metadata: consumerMeta(tag, manage, { idempotent: true, answersSecret: true }),
  },
  list: {
    method: 'GET',
    path: '/webhook-subscriptions',
    query: PaginationQuery.extend({ event_type: EventTopicSchema.optional() }),
    responses: { 200: listOf(WebhookSubscription, 'WebhookSubscriptionList') },
    summary: 'List your subscriptions',
    metadata: consumerMeta(tag, manage),
  },
  get: {
    method: 'GET',
    path: '/webhook-subscriptions/:id',
    pathParams: SubParams,
    responses: { 200: WebhookSubscription },
    summary: 'Get a subscription',
    metadata: consumerMeta(tag, manage),
  },
  update: {
    method: 'PATCH',
    path: '/webhook-subscriptions/:id',
    pathParams: SubParams,
    body: UpdateSubscription,
    responses: { 200: WebhookSubscription },
    summary: 'Update or re-enable a subscription',
    metadata: consumerMeta(tag, manage),
  },
  delete: {
    method: 'DELETE',
    path: '/webhook-subscriptions/:id',
    pathParams: SubParams,
    body: c.noBody(),
    responses: { 204: c.noBody() },
    summary: 'Delete a subscription',
    description: 'Pending deliveries stop; the delivery log is kept.',
    metadata: consumerMeta(tag, manage),
  },
  revealSecret: {
    method: 'GET',
    path: '/webhook-subscriptions/:id/secret',
    pathParams: SubParams,
    responses: { 200: WebhookSecret },
    summary: 'Reveal the signing secret',
    description:
      'The current signing secret, which is kept encrypted at rest, for setting up a receiver. After a rotation, the ' +
      'replaced secrets still sign for 24 hours but are not shown. Answers carry `Cache-Control: no-store`.',
    metadata: consumerMeta(tag, manage),
  },
  rotateSecret: {
    method: 'POST',
    path: '/webhook-subscriptions/:id/rotate-secret',
    pathParams: SubParams,
    body: c.noBody(),
    responses: { 200: WebhookSubscriptionWithSecret, 409: Problem },
    summary: 'Rotate the signing secret',
    description:
      'A replaced secret keeps signing for 24 hours: until then deliveries carry a signature with the new secret and ' +
      'one with each secret replaced within the last 24 hours, so a receiver set up with any of them keeps verifying. ' +
      'At most 5 secrets sign at once: a sixth rotation within 24 hours is refused (409) until the oldest expires.',
    metadata: consumerMeta(tag, manage),
  },
  test: {
    method: 'POST',
    path: '/webhook-subscriptions/:id/test',
    pathParams: SubParams,
    body: c.noBody(),
    responses: { 202: QueuedMessage, 409: Problem },
    summary: 'Send a test event',
    description:
      'Queues an event of the subscription’s type whose `data` is a sample record (nil UUIDs, `test` values) ' +
      'and whose `webhook-id` starts with `msg_test_`. It appears in the delivery log like any other. ' +
      '409 when the subscription is paused or disabled (re-enable it first).',
    metadata: consumerMeta(tag, manage),
  },
  recover: {
    method: 'POST',
    path: '/webhook-subscriptions/:id/recover',
    pathParams: SubParams,
    body: extendApi(z.object({ since: Timestamp }).strict(), {
      title: 'RecoverWebhookMessagesRequest',
      example: { since: '2026-11-25T00:00:00.000Z' },
    }),
    responses: { 202: RecoveredMessages, 409: Problem },
    summary: 'Send again what was not delivered since a time',
    description:
      'Queues one more attempt of every message of this subscription created at or after `since` that was not ' +
      'delivered: its retry schedule ran out, or it was dropped while the subscription was paused or disabled ' +
      '(a 410, or persistent failure). Each keeps its `webhook-id` and body. Typically called right after a ' +
      're-enable; 409 while the subscription is paused or disabled; `since` at most 14 days ago (422).',
    metadata: consumerMeta(tag, manage),
  },
  listDeliveries: {
    method: 'GET',
    path: '/webhook-subscriptions/:id/deliveries',
    pathParams: SubParams,
    query: PaginationQuery.extend({ status: DeliveryStatusSchema.optional() }),
    responses: { 200: listOf(WebhookDelivery, 'WebhookDeliveryList') },
    summary: 'The delivery log of a subscription, newest first',
    metadata: consumerMeta(tag, manage),
  },
  redeliver: {
    method: 'POST',
    path: '/webhook-subscriptions/:id/deliveries/:deliveryId/redeliver',
    pathParams: SubParams.extend({ deliveryId: Uuid }),
    body: c.noBody(),
    responses: { 202: QueuedMessage, 409: Problem },
    summary: 'Send a past event again',
    description:
      'Queues one more attempt of the same message (same `webhook-id`, same body, fresh signature), now: a message ' +
      'waiting for a scheduled retry is sent at once instead. 409 while an attempt of it is being sent (retry after ' +
      'it is logged), and when the subscription is paused or disabled (re-enable it first).',
    metadata: consumerMeta(tag, manage),
  },
});
