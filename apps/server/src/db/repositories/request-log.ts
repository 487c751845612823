import type { Sql } from '../client.js';

export function createRequestLogRepository(sql: Sql) {
  return {
    /** Requests the consumer made since the last UTC midnight, from the request log. */
    async usedToday(consumerId: string, now: Date): Promise<number> {
      const [row] = await sql<{ n: number }[]>`
        SELECT count(*)::int AS n FROM api_request_log
        WHERE api_consumer_id = ${consumerId}
          AND requested_at >= date_trunc('day', ${now}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
      return row?.n ?? 0;
    },
  };
}
