import type { EventTopic } from '@ihf/contract';
import type { Sql, TransactionSql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';

type Db = Sql | TransactionSql;

export interface SubscriptionRow extends CursorRow {
  id: string;
  api_consumer_id: string;
  event_type: EventTopic;
  target_url: string;
  /** Sealed (AES-256-GCM) `whsec_` secret. */
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  secret_rotated_at: Date | null;
  is_active: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface SubscriptionPatch {
  target_url?: string;
  is_active?: boolean;
}

/** Subscriptions are consumer-owned: every read and write is scoped by owner. Deleted ones are invisible. */
export function createSubscriptionsRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  return {
    async insert(values: { api_consumer_id: string; event_type: EventTopic; target_url: string; secret: string }) {
      const [row] = await sql<SubscriptionRow[]>`INSERT INTO webhook_subscriptions ${sql(values)} RETURNING ${returning}`;
      return row!;
    },

    async find(ownerId: string, id: string, db: Db = sql): Promise<SubscriptionRow | undefined> {
      const [row] = await db<SubscriptionRow[]>`
        SELECT ${returning} FROM webhook_subscriptions
        WHERE id = ${id} AND api_consumer_id = ${ownerId} AND deleted_at IS NULL`;
      return row;
    },

    async list(ownerId: string, opts: { limit: number; cursor?: string; eventType?: EventTopic }) {
      return sql<SubscriptionRow[]>`
        SELECT ${returning} FROM webhook_subscriptions
        WHERE api_consumer_id = ${ownerId} AND deleted_at IS NULL
          ${opts.eventType ? sql`AND event_type = ${opts.eventType}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC
        LIMIT ${opts.limit + 1}`;
    },

    /** Re-enabling (is_active true) also clears the soft-disable state. */
    async update(ownerId: string, id: string, patch: SubscriptionPatch): Promise<SubscriptionRow | undefined> {
      const [row] = await sql<SubscriptionRow[]>`
        UPDATE webhook_subscriptions SET
          target_url = COALESCE(${patch.target_url ?? null}, target_url),
          is_active = COALESCE(${patch.is_active ?? null}::boolean, is_active),
          disabled_at = CASE WHEN ${patch.is_active ?? null}::boolean THEN NULL ELSE disabled_at END,
          disabled_reason = CASE WHEN ${patch.is_active ?? null}::boolean THEN NULL ELSE disabled_reason END,
          consecutive_failures = CASE WHEN ${patch.is_active ?? null}::boolean THEN 0 ELSE consecutive_failures END,
          updated_at = now()
        WHERE id = ${id} AND api_consumer_id = ${ownerId} AND deleted_at IS NULL
        RETURNING ${returning}`;
      return row;
    },

    async softDelete(ownerId: string, id: string): Promise<boolean> {
      const rows = await sql.begin(async (tx) => {
        const deleted = await tx`
          UPDATE webhook_subscriptions SET deleted_at = now(), is_active = false, updated_at = now()
          WHERE id = ${id} AND api_consumer_id = ${ownerId} AND deleted_at IS NULL RETURNING id`;
        await tx`UPDATE webhook_messages SET state = 'cancelled' WHERE webhook_subscription_id = ${id} AND state = 'pending'`;
        return deleted;
      });
      return rows.length > 0;
    },

    /** The old secret keeps signing until previous_secret_expires_at. */
    async rotate(ownerId: string, id: string, sealedNew: string, overlapSeconds: number) {
      const [row] = await sql<SubscriptionRow[]>`
        UPDATE webhook_subscriptions SET
          previous_secret = secret,
          previous_secret_expires_at = now() + make_interval(secs => ${overlapSeconds}),
          secret = ${sealedNew},
          secret_rotated_at = now(),
          updated_at = now()
        WHERE id = ${id} AND api_consumer_id = ${ownerId} AND deleted_at IS NULL
        RETURNING ${returning}`;
      return row;
    },
  };
}
export type SubscriptionsRepository = ReturnType<typeof createSubscriptionsRepository>;
