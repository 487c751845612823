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
    connect_timeout: 10,
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
