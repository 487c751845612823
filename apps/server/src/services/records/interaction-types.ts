import type { InteractionType } from '@ihf/contract';
import { isPgError, PG_UNIQUE_VIOLATION, type Sql } from '../../db/client.js';
import { ApiError } from '../../errors.js';
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
    async list(): Promise<InteractionType[]> {
      return (await sql<Row[]>`SELECT name, description, created_at FROM event_type_registry ORDER BY name`).map(toWire);
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
