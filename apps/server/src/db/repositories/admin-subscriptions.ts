import type { EventTopic } from '@ihf/contract';
import type { Sql } from '../client.js';
import { afterCursor } from '../pagination.js';
import type { SubscriptionRow } from './subscriptions.js';

export type SubscriptionState = 'active' | 'paused' | 'disabled';

/** The operator's reads of subscriptions, across owners (subscriptions.ts scopes every read by owner). Deleted ones are invisible. */
export function createAdminSubscriptionsRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  const inState: Record<SubscriptionState, ReturnType<Sql>> = {
    disabled: sql`disabled_at IS NOT NULL`,
    paused: sql`disabled_at IS NULL AND NOT is_active`,
    active: sql`disabled_at IS NULL AND is_active`,
  };
  return {
    async list(opts: { limit: number; cursor?: string; consumerId?: string; state?: SubscriptionState; eventType?: EventTopic }) {
      return sql<SubscriptionRow[]>`
        SELECT ${returning} FROM webhook_subscriptions
        WHERE deleted_at IS NULL
          ${opts.consumerId ? sql`AND api_consumer_id = ${opts.consumerId}` : sql``}
          ${opts.state ? sql`AND ${inState[opts.state]}` : sql``}
          ${opts.eventType ? sql`AND event_type = ${opts.eventType}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC
        LIMIT ${opts.limit + 1}`;
    },

    async findById(id: string): Promise<SubscriptionRow | undefined> {
      const [row] = await sql<SubscriptionRow[]>`
        SELECT ${returning} FROM webhook_subscriptions WHERE id = ${id} AND deleted_at IS NULL`;
      return row;
    },
  };
}
export type AdminSubscriptionsRepository = ReturnType<typeof createAdminSubscriptionsRepository>;
