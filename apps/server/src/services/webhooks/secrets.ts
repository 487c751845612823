import type { WebhookSecret } from '@ihf/contract';
import type { SubscriptionsRepository } from '../../db/repositories/subscriptions.js';
import { ApiError, notFound } from '../../errors.js';
import { isoOrNull } from '../../lib/time.js';
import type { SecretBox } from '../../webhooks/secret-box.js';

/** Shows a subscription's signing secret again to its owner (it is stored sealed, not hashed). */
export function createWebhookSecretsService(deps: { subscriptions: SubscriptionsRepository; secretBox: SecretBox | null }) {
  return {
    async reveal(ownerId: string, id: string): Promise<WebhookSecret> {
      if (!deps.secretBox) throw new ApiError('service_unavailable', 'Webhooks need IHF_SECRET_KEY to be configured.');
      const row = await deps.subscriptions.find(ownerId, id);
      if (!row) throw notFound('webhook subscription', id);
      return {
        subscription_id: row.id,
        secret: deps.secretBox.open(row.secret),
        previous_secret_expires_at: isoOrNull(row.previous_secret_expires_at),
      };
    },
  };
}
