import type { EventTopic } from '@ihf/contract';
import type { Sql, TransactionSql } from '../db/client.js';
import { activeTraceparent } from '../observability/trace-context.js';
import { fanOut, recipientCount, type EventToSend } from './sql/index.js';

export function webhookBody(topic: EventTopic, timestamp: string, data: unknown): string {
  return JSON.stringify({ type: topic, timestamp, data });
}

/**
 * Fans events out to every recipient of the topic (a live subscription of an active
 * consumer allowed the topic) inside the caller's transaction: the events, their messages
 * and the jobs of their first attempts commit (or roll back) together with the record.
 * Bodies are built only when someone receives the topic. With tracing on, the events keep
 * the traceparent of the request creating them, which their attempts' spans link to.
 * Returns the messages queued.
 */
export async function enqueueEvents(
  tx: Sql | TransactionSql,
  topic: EventTopic,
  itemsOrBuild: readonly EventToSend[] | (() => readonly EventToSend[]),
): Promise<number> {
  if ((await recipientCount(tx, topic)) === 0) return 0;
  const items = typeof itemsOrBuild === 'function' ? itemsOrBuild() : itemsOrBuild;
  if (items.length === 0) return 0;
  return fanOut(tx, topic, items, activeTraceparent());
}
