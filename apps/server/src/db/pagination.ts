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

export function encodeCursor(row: CursorRow): string {
  return Buffer.from(JSON.stringify([row.cursor_ts, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  try {
    const [ts, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof ts === 'string' && typeof id === 'string' && UUID.test(id) && !Number.isNaN(Date.parse(ts))) {
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
  return sql`AND (${col(timeColumn)}, ${col('id')}) < (${ts}::timestamptz, ${id}::uuid)`;
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
