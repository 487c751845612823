/** One attempt of one message (retries, test events, redeliveries); keyed by the message. */
export const DELIVER_TASK = 'webhook.deliver';
/**
 * First attempts of a fan-out, and attempts handed back by a stopping worker, as batch
 * jobs. A task of its own so that a worker runs only a few of them at once: one batch
 * job alone can fill every request slot of a worker.
 */
export const DELIVER_BATCH_TASK = 'webhook.deliver-batch';
/** graphile-worker retries only when our own code throws (e.g. a lost database); delivery retries are ours. */
export const JOB_MAX_ATTEMPTS = 10;
/**
 * Messages per batch job: the queue's own work (insert, fetch and lock, complete) is paid
 * per batch, not per message. Each message is still claimed, sent and logged on its own,
 * and a batch whose worker fails re-runs only its failed messages.
 */
export const MESSAGES_PER_JOB = 100;

/** A DELIVER_TASK job's payload: attempt `a` of message `m`. */
export interface AttemptPayload {
  m: string;
  a: number;
}
/** A DELIVER_BATCH_TASK job's payload. */
export type BatchPayload = AttemptPayload[];
