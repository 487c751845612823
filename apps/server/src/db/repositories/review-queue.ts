import type { Sql, TransactionSql } from '../client.js';
import { afterCursor } from '../pagination.js';
import type { RecordRow } from './records.js';

type Db = Sql | TransactionSql;

/** Review-state transitions of requirement candidates and annotations. */
export function createReviewQueueRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  return {
    async listCandidates(opts: { limit: number; cursor?: string; statuses: readonly string[]; consumerId?: string; category?: string }) {
      return sql<RecordRow[]>`
        SELECT ${returning} FROM requirement_candidates
        WHERE status IN ${sql(opts.statuses as string[])}
          ${opts.consumerId ? sql`AND api_consumer_id = ${opts.consumerId}` : sql``}
          ${opts.category ? sql`AND category = ${opts.category}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
    },

    async listQuarantinedAnnotations(opts: { limit: number; cursor?: string; consumerId?: string }) {
      return sql<RecordRow[]>`
        SELECT ${returning} FROM annotations
        WHERE status = 'quarantined'
          ${opts.consumerId ? sql`AND api_consumer_id = ${opts.consumerId}` : sql``}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`;
    },

    async findCandidate(db: Db, id: string, lock = false): Promise<RecordRow | undefined> {
      const [row] = await db<RecordRow[]>`
        SELECT ${returning} FROM requirement_candidates WHERE id = ${id} ${lock ? db`FOR UPDATE` : db``}`;
      return row;
    },

    async findAnnotation(db: Db, id: string, lock = false): Promise<RecordRow | undefined> {
      const [row] = await db<RecordRow[]>`
        SELECT ${returning} FROM annotations WHERE id = ${id} ${lock ? db`FOR UPDATE` : db``}`;
      return row;
    },

    /** `rejectedFromQuarantine`: an admin rejects a quarantined candidate, which stays hidden (migration 0012). */
    async setCandidateStatus(
      db: Db,
      id: string,
      status: string,
      note: string | null,
      at: Date,
      rejectedFromQuarantine = false,
    ): Promise<RecordRow> {
      const [row] = await db<RecordRow[]>`
        UPDATE requirement_candidates
        SET status = ${status}, review_note = ${note}, reviewed_at = ${at}, updated_at = ${at},
          rejected_from_quarantine = ${rejectedFromQuarantine}
        WHERE id = ${id} RETURNING ${returning}`;
      return row!;
    },

    async releaseAnnotation(db: Db, id: string, note: string | null, at: Date): Promise<RecordRow> {
      const [row] = await db<RecordRow[]>`
        UPDATE annotations SET status = 'active', review_note = ${note}, reviewed_at = ${at}
        WHERE id = ${id} RETURNING ${returning}`;
      return row!;
    },
  };
}
export type ReviewQueueRepository = ReturnType<typeof createReviewQueueRepository>;
