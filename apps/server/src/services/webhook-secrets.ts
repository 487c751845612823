import type { SubscriptionsRepository } from '../db/repositories/subscriptions.js';
import { ApiError, notFound } from '../errors.js';
import type { SecretBox } from '../lib/secret-box.js';

/** Shows a subscription's signing secret to its owner again (the portal's "reveal"); it is sealed at rest. */
export function createWebhookSecretsService(deps: { subscriptions: SubscriptionsRepository; secretBox: SecretBox | null }) {
  return {
    async reveal(ownerId: string, id: string) {
      const row = await deps.subscriptions.find(ownerId, id);
      if (!row) throw notFound('webhook subscription', id);
      if (!deps.secretBox) throw new ApiError('service_unavailable', 'Webhooks need IHF_SECRET_KEY to be configured.');
      return { subscription_id: row.id, secret: deps.secretBox.open(row.secret) };
    },
  };
}
export type WebhookSecretsService = ReturnType<typeof createWebhookSecretsService>;
