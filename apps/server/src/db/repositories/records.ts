import type { Sql, TransactionSql } from '../client.js';
import { afterCursor, type CursorRow } from '../pagination.js';

/** The six record tables; names are constants, never user input. */
export type RecordTable =
  | 'interaction_events'
  | 'annotations'
  | 'requirement_candidates'
  | 'decision_records'
  | 'deployment_records'
  | 'outcome_signals';

type Db = Sql | TransactionSql;

export interface RecordListOptions {
  limit: number;
  cursor?: string;
  createdAfter?: string;
  createdBefore?: string;
  /** column = value filters; columns come from the service, values from the query. */
  equals?: Record<string, string | undefined>;
  /** column @> ARRAY[value] filters (labels). */
  contains?: Record<string, string | undefined>;
  /**
   * The reading consumer, on a table with quarantine: other consumers' quarantined rows
   * (and candidates rejected out of quarantine) are left out.
   */
  visibleTo?: string;
}

export type RecordRow = CursorRow & Record<string, unknown> & { id: string; created_at: Date; api_consumer_id: string };

/**
 * Generic insert / get / list over one record table. Columns are whatever the caller
 * passes (the service maps the wire format onto them); ordering is (created_at, id)
 * descending with keyset cursors.
 */
export function createRecordsRepository(sql: Sql) {
  const returning = sql`*, created_at::text AS cursor_ts`;
  // Quarantined rows (and candidates rejected out of quarantine) are their author's alone;
  // admins pass no consumer. A plain filter keeps lists on the (created_at, id) index.
  const authorOnly = (table: RecordTable) =>
    table === 'requirement_candidates' ? sql`(status = 'quarantined' OR rejected_from_quarantine)` : sql`status = 'quarantined'`;
  const onlyVisibleTo = (table: RecordTable, consumerId: string | undefined) =>
    consumerId === undefined ? sql`` : sql`AND (NOT ${authorOnly(table)} OR api_consumer_id = ${consumerId})`;
  return {
    async insert<R extends RecordRow>(db: Db, table: RecordTable, values: Record<string, unknown>): Promise<R> {
      const [row] = await db<R[]>`INSERT INTO ${sql(table)} ${sql(values as Record<string, never>)} RETURNING ${returning}`;
      return row!;
    },

    async findById<R extends RecordRow>(table: RecordTable, id: string, visibleTo?: string): Promise<R | undefined> {
      const [row] = await sql<R[]>`SELECT ${returning} FROM ${sql(table)} WHERE id = ${id} ${onlyVisibleTo(table, visibleTo)}`;
      return row;
    },

    async existing(db: Db, table: RecordTable, ids: readonly string[], visibleTo?: string): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db<{ id: string }[]>`
        SELECT id FROM ${sql(table)} WHERE id = ANY(${ids as string[]}::uuid[]) ${onlyVisibleTo(table, visibleTo)}`;
      return new Set(rows.map((r) => r.id));
    },

    async list<R extends RecordRow>(table: RecordTable, opts: RecordListOptions): Promise<R[]> {
      const filters = [
        ...Object.entries(opts.equals ?? {})
          .filter(([, v]) => v !== undefined)
          .map(([col, v]) => sql`AND ${sql(col)} = ${v!}`),
        ...Object.entries(opts.contains ?? {})
          .filter(([, v]) => v !== undefined)
          .map(([col, v]) => sql`AND ${sql(col)} @> ARRAY[${v!}]::text[]`),
      ];
      return sql<R[]>`
        SELECT ${returning} FROM ${sql(table)}
        WHERE TRUE
          -- Text, not a timestamptz parameter, which postgres.js would cut to milliseconds.
          ${opts.createdAfter ? sql`AND created_at >= ${opts.createdAfter}::text::timestamptz` : sql``}
          ${opts.createdBefore ? sql`AND created_at < ${opts.createdBefore}::text::timestamptz` : sql``}
          ${filters.reduce((acc, f) => sql`${acc} ${f}`, sql``)}
          ${onlyVisibleTo(table, opts.visibleTo)}
          ${afterCursor(sql, opts.cursor)}
        ORDER BY created_at DESC, id DESC
        LIMIT ${opts.limit + 1}`;
    },

    /** Registered interaction types among `names`. */
    async registeredEventTypes(db: Db, names: readonly string[]): Promise<Set<string>> {
      const rows = await db<{ name: string }[]>`
        SELECT name FROM event_type_registry WHERE name = ANY(${names as string[]}::text[])`;
      return new Set(rows.map((r) => r.name));
    },

    /**
     * Set-wise insert of many interaction events in one statement (jsonb_to_recordset;
     * other keys of the objects are ignored). Only the creation time comes back: the
     * caller holds every other column, and parsing 1,000 rows back costs more than the insert.
     */
    async insertInteractionEvents(
      db: Db,
      consumerId: string,
      events: readonly { id: string; event_type: string; subject_id: string; actor_id: string; occurred_at: string; properties: unknown }[],
    ): Promise<Date> {
      const [row] = await db<{ created_at: Date }[]>`
        WITH inserted AS (
          INSERT INTO interaction_events (id, api_consumer_id, event_type, subject_id, actor_id, occurred_at, properties)
          SELECT e.id, ${consumerId}, e.event_type, e.subject_id, e.actor_id, e.occurred_at, e.properties
          FROM jsonb_to_recordset(${JSON.stringify(events)}::text::jsonb)
            AS e(id uuid, event_type text, subject_id text, actor_id text, occurred_at timestamptz, properties jsonb)
          RETURNING created_at
        )
        SELECT min(created_at) AS created_at FROM inserted`;
      return row!.created_at;
    },
  };
}
export type RecordsRepository = ReturnType<typeof createRecordsRepository>;
