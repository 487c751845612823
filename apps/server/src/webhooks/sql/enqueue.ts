import { randomUUID } from 'node:crypto';
import type { EventTopic } from '@ihf/contract';
import type { Sql, TransactionSql } from '../../db/client.js';
import { DELIVER_BATCH_TASK, DELIVER_TASK, JOB_MAX_ATTEMPTS, MESSAGES_PER_JOB } from '../jobs.js';
import type { AttemptKey } from './claim.js';

type Db = Sql | TransactionSql;

/** An event to fan out: its record, and the exact webhook body every attempt sends. */
export interface EventToSend {
  recordId: string | null;
  body: string;
}

/** How many subscriptions receive the topic now (the webhook_recipients view). */
export async function recipientCount(db: Db, topic: EventTopic): Promise<number> {
  const [has] = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM webhook_recipients WHERE event_type = ${topic}`;
  return has?.n ?? 0;
}

/**
 * The event rows, one message per recipient and event, and batch jobs of their first
 * attempts, set-wise in one statement. `traceparent`: the creating request's, kept with
 * the events when tracing is on. Answers the messages queued.
 */
export async function fanOut(db: Db, topic: EventTopic, items: readonly EventToSend[], traceparent: string | null = null): Promise<number> {
  const events = items.map((i) => ({ id: randomUUID(), record_id: i.recordId, body: i.body }));
  const [queued] = await db<{ n: number }[]>`
    WITH ev AS (
      INSERT INTO webhook_events (id, event_type, record_id, body, traceparent)
      SELECT e.id, ${topic}, e.record_id, e.body, ${traceparent}::text
      FROM jsonb_to_recordset(${JSON.stringify(events)}::text::jsonb) AS e(id uuid, record_id uuid, body text)
      RETURNING id, created_at
    ), msgs AS (
      INSERT INTO webhook_messages (id, created_at, webhook_event_id, event_created_at, webhook_subscription_id, next_attempt_at)
      SELECT n.id, ihf_message_created_at(n.id), n.event_id, n.event_created_at, n.subscription_id, now()
      FROM (
        -- a subquery with a volatile output: one new id per row, never one for all
        SELECT ihf_new_message_id('msg_', now()) AS id, ev.id AS event_id, ev.created_at AS event_created_at, s.id AS subscription_id
        FROM ev CROSS JOIN webhook_recipients s
        WHERE s.event_type = ${topic}
      ) n
      RETURNING id
    ), batches AS (
      SELECT json_agg(json_build_object('m', id, 'a', 1)) AS payload
      FROM (SELECT id, (row_number() OVER () - 1) / ${MESSAGES_PER_JOB} AS batch FROM msgs) numbered
      GROUP BY batch
    )
    SELECT coalesce(sum(json_array_length(b.payload)), 0)::int AS n
    FROM batches b
    CROSS JOIN LATERAL graphile_worker.add_job(${DELIVER_BATCH_TASK}, b.payload, max_attempts => ${JOB_MAX_ATTEMPTS}) AS job`;
  return queued?.n ?? 0;
}

/**
 * Queues attempt `attempt` of a message at `runAt` (now when omitted), keyed by the
 * message: its next attempt, which a redelivery replaces. A deferral (`keyed: false`) is a
 * second job for an attempt already claimed: under the key it could replace the message's
 * next retry, queued meanwhile by the claim's owner; unkeyed, whichever job comes second
 * finds its attempt taken and skips.
 */
export async function scheduleAttempt(db: Db, messageId: string, attempt: number, runAt?: Date, opts = { keyed: true }): Promise<void> {
  await db`
    SELECT graphile_worker.add_job(
      ${DELIVER_TASK}, json_build_object('m', ${messageId}::text, 'a', ${attempt}::int),
      run_at => ${runAt ?? null}::timestamptz, job_key => ${opts.keyed ? messageId : null}::text, max_attempts => ${JOB_MAX_ATTEMPTS}
    )`;
}

/**
 * Queues attempts runnable at once as batch jobs, like a fan-out's (hand-back, recover).
 * Unkeyed: if an attempt is a stale copy, adding it under the message's key would replace
 * the next attempt already scheduled there; an unkeyed stale copy finds its claim refused.
 */
export async function enqueueAttempts(db: Db, attempts: readonly AttemptKey[]): Promise<void> {
  await db`
    SELECT graphile_worker.add_job(${DELIVER_BATCH_TASK}, batch.payload, max_attempts => ${JOB_MAX_ATTEMPTS})
    FROM (
      SELECT json_agg(json_build_object('m', x.m, 'a', x.a) ORDER BY x.i) AS payload
      FROM unnest(${attempts.map((a) => a.messageId)}::text[], ${attempts.map((a) => a.attempt)}::int[]) WITH ORDINALITY AS x(m, a, i)
      GROUP BY (x.i - 1) / ${MESSAGES_PER_JOB}
    ) batch`;
}

/**
 * A one-off event to one subscription (test events); answers its message id, `prefix` and
 * the UUIDv7 hex that carries its creation time (0023).
 */
export async function enqueueSingle(db: Db, opts: { subscriptionId: string; topic: EventTopic; body: string; prefix: string }): Promise<string> {
  const [message] = await db<{ id: string }[]>`
    WITH ev AS (
      INSERT INTO webhook_events (id, event_type, record_id, body) VALUES (${randomUUID()}, ${opts.topic}, NULL, ${opts.body})
      RETURNING id, created_at
    )
    INSERT INTO webhook_messages (id, created_at, webhook_event_id, event_created_at, webhook_subscription_id, next_attempt_at)
    SELECT n.id, ihf_message_created_at(n.id), ev.id, ev.created_at, ${opts.subscriptionId}, now()
    FROM ev, (SELECT ihf_new_message_id(${opts.prefix}, now()) AS id) n
    RETURNING id`;
  await scheduleAttempt(db, message!.id, 1);
  return message!.id;
}
