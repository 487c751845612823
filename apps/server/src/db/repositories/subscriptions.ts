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
  /** Secrets before the previous one, still signing until their expires_at (oldest first). */
  older_secrets: EarlierSecret[];
  secret_rotated_at: Date | null;
  is_active: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A replaced signing secret (sealed) and the end of its overlap (ISO 8601). A type, not an interface: it is stored as JSON. */
export type EarlierSecret = { secret: string; expires_at: string };

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

    /** Whether the worker would deliver to it now (webhook_recipients: active, enabled, its consumer and manifest allow it). */
    async isRecipient(id: string): Promise<boolean> {
      const [row] = await sql<{ yes: boolean }[]>`SELECT EXISTS (SELECT 1 FROM webhook_recipients WHERE id = ${id}) AS yes`;
      return row!.yes;
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

    /** Its pending messages are cancelled as their jobs come up (see disableSubscription: locking them here could deadlock with their logging). */
    async softDelete(ownerId: string, id: string): Promise<boolean> {
      const rows = await sql`
        UPDATE webhook_subscriptions SET deleted_at = now(), is_active = false, updated_at = now()
        WHERE id = ${id} AND api_consumer_id = ${ownerId} AND deleted_at IS NULL RETURNING id`;
      return rows.length > 0;
    },

    /**
     * The current secret becomes the previous one, signing until now + overlap; the
     * previous one joins `older_secrets` while its own overlap lasts. Refused (`busyUntil`:
     * when the oldest of them stops signing) when `maxOlder` older ones still sign.
     */
    async rotate(
      ownerId: string,
      id: string,
      sealedNew: string,
      opts: { overlapSeconds: number; maxOlder: number },
    ): Promise<{ row: SubscriptionRow } | { busyUntil: Date } | undefined> {
      return sql.begin(async (tx) => {
        const [cur] = await tx<(Pick<SubscriptionRow, 'previous_secret' | 'previous_secret_expires_at' | 'older_secrets'> & { now: Date })[]>`
          SELECT previous_secret, previous_secret_expires_at, older_secrets, now() AS now FROM webhook_subscriptions
          WHERE id = ${id} AND api_consumer_id = ${ownerId} AND deleted_at IS NULL FOR UPDATE`;
        if (!cur) return undefined;
        const previous = cur.previous_secret && cur.previous_secret_expires_at
          ? [{ secret: cur.previous_secret, expires_at: cur.previous_secret_expires_at.toISOString() }]
          : [];
        const older = [...cur.older_secrets, ...previous].filter((e) => new Date(e.expires_at) > cur.now);
        if (older.length > opts.maxOlder) return { busyUntil: new Date(older[0]!.expires_at) };
        const [row] = await tx<SubscriptionRow[]>`
          UPDATE webhook_subscriptions SET
            older_secrets = ${tx.json(older)},
            previous_secret = secret,
            previous_secret_expires_at = now() + make_interval(secs => ${opts.overlapSeconds}),
            secret = ${sealedNew},
            secret_rotated_at = now(),
            updated_at = now()
          WHERE id = ${id}
          RETURNING ${returning}`;
        return { row: row! };
      });
    },
  };
}
export type SubscriptionsRepository = ReturnType<typeof createSubscriptionsRepository>;
