import type { InteractionType } from '@ihf/contract';
import { isPgError, PG_UNIQUE_VIOLATION, type Sql } from '../../db/client.js';
import { ApiError } from '../../errors.js';
import { decodeNameCursor, encodeNameCursor } from './name-cursor.js';
import { iso } from '../../lib/time.js';

interface Row {
  name: string;
  description: string | null;
  created_at: Date;
}

const toWire = (r: Row): InteractionType => ({ name: r.name, description: r.description, created_at: iso(r.created_at) });

/** The event_type_registry: the values an interaction event's `event_type` may take. */
export function createInteractionTypesService(sql: Sql) {
  return {
    /** By name (the key), keyset-paginated on it. */
    async list(q: { limit: number; cursor?: string }): Promise<{ data: InteractionType[]; next_cursor: string | null }> {
      const after = q.cursor ? decodeNameCursor(q.cursor) : undefined;
      const rows = await sql<Row[]>`
        SELECT name, description, created_at FROM event_type_registry
        ${after === undefined ? sql`` : sql`WHERE name > ${after}`}
        ORDER BY name LIMIT ${q.limit + 1}`;
      const page = rows.slice(0, q.limit);
      return { data: page.map(toWire), next_cursor: rows.length > q.limit ? encodeNameCursor(page[page.length - 1]!.name) : null };
    },
    async add(name: string, description: string | null): Promise<InteractionType> {
      try {
        const [row] = await sql<Row[]>`
          INSERT INTO event_type_registry (name, description) VALUES (${name}, ${description})
          RETURNING name, description, created_at`;
        return toWire(row!);
      } catch (err) {
        if (isPgError(err, PG_UNIQUE_VIOLATION)) throw new ApiError('conflict', `The interaction type ${name} is already registered.`);
        throw err;
      }
    },
  };
}
