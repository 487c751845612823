import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, Timestamp, Uuid } from '../common.js';

export const WebhookSecret = extendApi(
  z.object({
    subscription_id: Uuid,
    secret: z.string().describe('The current signing secret (`whsec_…`)'),
    previous_secret_expires_at: Timestamp.nullable().describe('Until then, deliveries are also signed with the secret it replaced'),
  }),
  {
    title: 'WebhookSecret',
    example: {
      subscription_id: '7c5d0ec9-c2ef-4aef-8bce-9eafb0c1d2e3',
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      previous_secret_expires_at: null,
    },
  },
);
export type WebhookSecret = z.infer<typeof WebhookSecret>;

export const webhookSecretsContract = c.router({
  reveal: {
    method: 'GET',
    path: '/webhook-subscriptions/:id/secret',
    pathParams: z.object({ id: Uuid }),
    responses: { 200: WebhookSecret },
    summary: 'Reveal the signing secret',
    description:
      'The subscription’s current signing secret, for setting up a receiver after the create answer is gone ' +
      '(stored encrypted, so it can be shown again). To replace it, rotate it.',
    metadata: consumerMeta('Webhooks', ['webhooks:manage']),
  },
});
