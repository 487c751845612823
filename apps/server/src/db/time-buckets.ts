import type { Sql } from './client.js';

export type Granularity = 'hour' | 'day';

/** The UTC hour or day a timestamp column's value falls in. `column` is a fixed SQL name, never input. */
export const bucketOf = (sql: Sql, granularity: Granularity, column: string) =>
  sql`date_trunc(${granularity}, ${sql.unsafe(column)} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

/** Every bucket start from `from` to `to` (exclusive), as rows of `period_start`: a series zero-filled by a LEFT JOIN. */
export const bucketStarts = (sql: Sql, granularity: Granularity, from: Date, to: Date) => sql`
  SELECT generate_series(
    date_trunc(${granularity}, ${from}::timestamptz AT TIME ZONE 'UTC'),
    date_trunc(${granularity}, (${to}::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC'),
    ${granularity === 'hour' ? '1 hour' : '1 day'}::interval) AT TIME ZONE 'UTC' AS period_start`;
