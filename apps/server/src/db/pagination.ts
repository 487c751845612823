import { ApiError } from '../errors.js';
import type { Sql } from './client.js';

/**
 * Keyset pagination over (created_at DESC, id DESC). The cursor carries the exact
 * created_at text (microseconds) and id of the last row, base64url-encoded: opaque to
 * clients, stable under concurrent inserts.
 */
export interface CursorRow {
  id: string;
  cursor_ts: string;
}

interface Cursor {
  ts: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A column's text in a UTC session (`2026-11-25 10:00:00.123456+00`), or ISO 8601. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-5])(?::?[0-5]\d)?)$/;

/** Only what PostgreSQL takes: a tampered cursor must be a 422, not a database error. */
function isTimestamp(ts: string): boolean {
  const m = TIMESTAMP.exec(ts);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
  // PostgreSQL has no year 0 and refuses a day its month lacks (JavaScript would roll it over).
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return year >= 1 && date.getUTCMonth() === month && date.getUTCDate() === day;
}

export function encodeCursor(row: CursorRow): string {
  return Buffer.from(JSON.stringify([row.cursor_ts, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ts === 'string' && typeof id === 'string' && UUID.test(id) && isTimestamp(ts)) {
      return { ts, id };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ApiError('validation_failed', 'The cursor is not one this API issued.', {
    errors: [{ location: 'query', pointer: '/cursor', message: 'Invalid cursor', code: 'invalid_cursor' }],
  });
}

/**
 * `AND (created_at, id) < cursor` or nothing, for a WHERE clause; `timeColumn` for a table
 * ordered by another timestamp (the cursor's `ts` is that column's text).
 */
export function afterCursor(sql: Sql, cursor: string | undefined, alias = '', timeColumn = 'created_at') {
  if (!cursor) return sql``;
  const { ts, id } = decodeCursor(cursor);
  const col = (name: string) => sql.unsafe(alias ? `${alias}.${name}` : name);
  // Bound as text: postgres.js sends a timestamptz parameter through Date, cutting the
  // microseconds, and the rows sharing the cursor row's millisecond would be skipped.
  return sql`AND (${col(timeColumn)}, ${col('id')}) < (${ts}::text::timestamptz, ${id}::uuid)`;
}

/** Splits the limit+1 rows a page query fetched into the page and its next cursor. */
export function toPage<R extends CursorRow, T>(rows: R[], limit: number, map: (row: R) => T) {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map(map),
    next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}
