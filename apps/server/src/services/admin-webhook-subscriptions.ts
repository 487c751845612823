import type { AdminWebhookSubscription, EventTopic } from '@ihf/contract';
import type { AdminSubscriptionsRepository, SubscriptionState } from '../db/repositories/admin-subscriptions.js';
import type { SubscriptionRow, SubscriptionsRepository } from '../db/repositories/subscriptions.js';
import { toPage } from '../db/pagination.js';
import { notFound } from '../errors.js';
import type { ConsumersService } from './consumers.js';
import { toSubscription } from './subscriptions/subscriptions.js';

/** A subscription's own state: disabled by the engine wins over paused by its owner. */
export function stateOf(row: Pick<SubscriptionRow, 'disabled_at' | 'is_active'>): SubscriptionState {
  if (row.disabled_at) return 'disabled';
  return row.is_active ? 'active' : 'paused';
}

export function toAdminSubscription(row: SubscriptionRow): AdminWebhookSubscription {
  return { ...toSubscription(row), consumer_id: row.api_consumer_id, state: stateOf(row) };
}

interface ListQuery {
  limit: number;
  cursor?: string;
  state?: SubscriptionState;
  event_type?: EventTopic;
}

/** The operator's view of webhook subscriptions: every consumer's, with their state, and re-enable/pause. */
export function createAdminWebhookSubscriptionsService(deps: {
  repo: AdminSubscriptionsRepository;
  subscriptions: SubscriptionsRepository;
  consumers: Pick<ConsumersService, 'getRow'>;
}) {
  async function list(q: ListQuery & { consumer_id?: string }) {
    const rows = await deps.repo.list({ limit: q.limit, cursor: q.cursor, consumerId: q.consumer_id, state: q.state, eventType: q.event_type });
    return toPage(rows, q.limit, toAdminSubscription);
  }

  return {
    list,

    async listForConsumer(consumerId: string, q: ListQuery) {
      await deps.consumers.getRow(consumerId);
      return list({ ...q, consumer_id: consumerId });
    },

    async update(id: string, patch: { is_active: boolean }): Promise<AdminWebhookSubscription> {
      const found = await deps.repo.findById(id);
      const row = found && (await deps.subscriptions.update(found.api_consumer_id, id, patch));
      if (!row) throw notFound('webhook subscription', id);
      return toAdminSubscription(row);
    },
  };
}
export type AdminWebhookSubscriptionsService = ReturnType<typeof createAdminWebhookSubscriptionsService>;
