import type { TransactionSql, Sql } from '../../db/client.js';
import type { RecordRow } from '../../db/repositories/records.js';
import { enqueueEvents, webhookBody } from '../../webhooks/outbox.js';
import { RECORD_KINDS, type RecordKindName } from './mappers.js';

/**
 * Queues the `<record>.created` webhook of stored records inside `tx`, so the event
 * commits with whatever the caller changes. The record creation path calls it; so does
 * an admin release of a quarantined annotation or candidate. Returns messages queued.
 */
export async function publishRecords(tx: TransactionSql | Sql, kind: RecordKindName, rows: readonly RecordRow[]): Promise<number> {
  // Each kind's mapper takes its own row type; rows here come from that kind's table.
  const toWire = RECORD_KINDS[kind].toWire as unknown as (row: RecordRow) => WireRecord;
  return publishWireRecords(tx, kind, () => rows.map(toWire));
}

interface WireRecord {
  id: string;
  created_at: string;
}

/**
 * publishRecords for records already in their wire form (batch ingest builds those once
 * for the response). `records` is only called when someone subscribes to the topic.
 */
export async function publishWireRecords(
  tx: TransactionSql | Sql,
  kind: RecordKindName,
  records: () => readonly WireRecord[],
): Promise<number> {
  const topic = RECORD_KINDS[kind].topic;
  return enqueueEvents(tx, topic, () => records().map((r) => ({ recordId: r.id, body: webhookBody(topic, r.created_at, r) })));
}
