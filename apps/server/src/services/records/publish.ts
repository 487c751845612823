import type { TransactionSql, Sql } from '../../db/client.js';
import type { RecordRow } from '../../db/repositories/records.js';
import { iso } from '../../lib/time.js';
import { enqueueEvents, webhookBody } from '../../webhooks/outbox.js';
import { RECORD_KINDS, type RecordKindName } from './mappers.js';

/**
 * Queues the `<record>.created` webhook of stored records inside `tx`, so the event
 * commits with whatever the caller changes. The record creation path calls it; so does
 * an admin release of a quarantined annotation or candidate. Returns messages queued.
 */
export async function publishRecords(tx: TransactionSql | Sql, kind: RecordKindName, rows: readonly RecordRow[]): Promise<number> {
  const k = RECORD_KINDS[kind];
  // Each kind's mapper takes its own row type; rows here come from that kind's table.
  const toWire = k.toWire as (row: RecordRow) => unknown;
  if (rows.length === 0) return 0;
  return enqueueEvents(tx, k.topic, () =>
    rows.map((row) => ({ recordId: row.id, body: webhookBody(k.topic, iso(row.created_at as Date), toWire(row)) })),
  );
}
