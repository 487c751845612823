import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

export interface SqlOptions {
  max?: number;
  applicationName?: string;
}

/** One pool per process; everything takes it as a dependency. Sessions run in UTC. */
export function createSql(databaseUrl: string, options: SqlOptions = {}): Sql {
  return postgres(databaseUrl, {
    max: options.max ?? 10,
    idle_timeout: 30,
    // A server that drops packets fails a connect in 3 s rather than holding requests.
    connect_timeout: 3,
    // postgres.js backs off up to 20 s between reconnects while the server is away (queued
    // queries wait that long, and its return goes unnoticed as long): retry every 0.5 s at most.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 0.5),
    onnotice: () => {},
    connection: { TimeZone: 'UTC', application_name: options.applicationName ?? 'ihf-server' },
  });
}

/** True when err is a PostgreSQL error with the given SQLSTATE. */
export function isPgError(err: unknown, sqlState: string): err is postgres.PostgresError {
  return err instanceof postgres.PostgresError && err.code === sqlState;
}

export const PG_UNIQUE_VIOLATION = '23505';
export const PG_FOREIGN_KEY_VIOLATION = '23503';
