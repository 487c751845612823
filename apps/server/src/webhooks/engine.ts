import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';
import { createBatcher } from './batcher.js';
import { claimLeaseSeconds } from './lease.js';
import { classify, retryDelaySeconds, type AttemptOutcome } from './retry.js';
import type { SecretBox } from './secret-box.js';
import { sendWebhook, type SenderAgents, type SendResult } from './sender.js';
import { signingKey, webhookHeaders } from './signer.js';
import { UnsafeTargetError, vetTarget, type LookupFn, type VettedTarget } from './ssrf.js';
import {
  cancelMessage,
  claimAttempts,
  countFailure,
  disableSubscription,
  enqueueAttempts,
  logFailure,
  logSuccesses,
  releaseClaims,
  scheduleAttempt,
  signingContexts,
  type ClaimedContext,
  type DeliveredAttempt,
  type SigningContext,
} from './sql/index.js';

export interface EngineOptions {
  sql: Sql;
  /** The hot path's statements (claims, logged successes); `sql` when omitted. */
  hotSql?: Sql;
  secretBox: SecretBox;
  logger: Logger;
  /** Seconds: [0] before the first attempt (ignored: it runs at once), [i] before attempt i+1. */
  retrySchedule: readonly number[];
  timeoutMs: number;
  allowPrivateTargets: boolean;
  maxResponseBytes?: number;
  lookup?: LookupFn;
  agents?: SenderAgents;
  /** Requests in flight at once (WEBHOOK_CONCURRENCY). */
  maxRequests?: number;
  /**
   * Delivered attempts whose success is still to be logged (the log is batched); no
   * request starts while this many wait. Unlimited when omitted. An attempt sent and not
   * yet logged is what one crash can send twice: at most maxRequests + maxUnlogged.
   */
  maxUnlogged?: number;
  /** How long an allowed target's SSRF verdict is reused; TARGET_VERDICT_TTL_MS when omitted. */
  verdictTtlMs?: number;
  now?: () => Date;
}

/** `handed-back`: never sent; its claim given up and queued again for whichever worker takes it next. */
export type AttemptResult = 'skipped' | 'delivered' | 'failed' | 'gone' | 'deferred' | 'handed-back';

/** What `send` answers when the claim is too old to send within its lease any more. */
const TOO_LATE = Symbol('too late');

export const MAX_RESPONSE_BYTES = 4096;
/**
 * Successes logged in one statement at most, and how long the first of them waits for
 * more. The log's cost per row falls with the batch (the statement, its reference trigger
 * and the round trip are paid once per batch, in the worker and in PostgreSQL): in
 * alternating webhooks-delivery runs, logging every millisecond (~16 rows a statement)
 * gave 0.43 x the bare loop, batches of up to 100 or 5 ms 0.47-0.49. A success is recorded
 * a few ms later; its receipt is not delayed.
 */
const LOG_BATCH_ROWS = 100;
const LOG_WAIT_MS = 5;
/** How long a target's SSRF verdict (its vetted address) is reused before it is resolved and checked again. */
export const TARGET_VERDICT_TTL_MS = 30_000;

/**
 * Attempts of messages: claim them, vet the target, sign, send, and record each outcome —
 * log row, message state, subscription health and the next attempt's job. A batch job's
 * messages (a fan-out's first attempts) are claimed together in one statement, then each
 * waits for a request slot; single attempts (retries, tests, redeliveries) arriving at
 * once share claim statements too. Claims waiting for a slot are bounded by the job slots
 * (worker.ts), and a claim that waited too long for one is not sent late (lease).
 */
export function createDeliveryEngine(opts: EngineOptions) {
  const now = opts.now ?? (() => new Date());
  const leaseSeconds = claimLeaseSeconds(opts.timeoutMs);
  // Concurrent attempts share round trips: the claims of single attempts that arrive
  // within a millisecond share one statement (DataLoader), and so do delivered attempts'
  // successes, up to LOG_BATCH_ROWS of them or those of LOG_WAIT_MS. Each attempt still
  // awaits its own rows, so no job completes before its delivery is recorded.
  const batching = { cache: false, maxBatchSize: 100, batchScheduleFn: (run: () => void) => void setTimeout(run, 1) };
  const hot = opts.hotSql ?? opts.sql;
  const claims = new DataLoader<{ messageId: string; attempt: number }, ClaimedContext | undefined>(
    (keys) => claimAttempts(hot, keys, leaseSeconds),
    batching,
  );
  const successes = createBatcher((records: DeliveredAttempt[]) => logSuccesses(hot, records), {
    maxItems: LOG_BATCH_ROWS,
    maxWaitMs: LOG_WAIT_MS,
  });

  // Decrypted signing secrets, keyed by their sealed form: a rotation stores a new sealed
  // value, so an entry can never outlive the secret it was opened from.
  const opened = new LRUCache<string, Buffer>({ max: 10_000, ttl: 10 * 60_000 });
  const open = (sealed: string) => {
    let key = opened.get(sealed);
    if (key === undefined) {
      key = signingKey(opts.secretBox.open(sealed));
      opened.set(sealed, key);
    }
    return key;
  };

  // Each subscription's target and HMAC keys, as of the version of its row the claim saw:
  // read and opened once per version rather than with every claimed message. Any update of
  // the row (URL, rotation, disable) makes a new version.
  const signings = new LRUCache<string, Signing>({ max: 10_000 });
  const signingRows = new DataLoader<string, SigningContext | undefined>(async (ids) => {
    const byId = new Map((await signingContexts(hot, ids)).map((row) => [row.subscription_id, row]));
    return ids.map((id) => byId.get(id));
  }, batching);
  async function loadSigning(subscriptionId: string): Promise<Signing> {
    const row = await signingRows.load(subscriptionId);
    if (!row) throw new Error(`webhook subscription ${subscriptionId} not found`); // rows are never deleted (soft delete)
    const keys = [{ key: open(row.secret), until: Number.POSITIVE_INFINITY }];
    if (row.previous_secret && row.previous_secret_expires_at) {
      keys.push({ key: open(row.previous_secret), until: row.previous_secret_expires_at.getTime() });
    }
    for (const older of row.older_secrets) keys.push({ key: open(older.secret), until: Date.parse(older.expires_at) });
    const signing = { version: row.version, targetUrl: row.target_url, keys };
    signings.set(subscriptionId, signing);
    return signing;
  }
  /** The HMAC keys to sign with: the secret's, and those of replaced secrets still in their overlap. */
  const keysOf = (signing: Signing, atMs: number) => signing.keys.filter((k) => k.until > atMs).map((k) => k.key);

  // SSRF verdicts per target URL, reused for a short while (and shared by the attempts
  // that ask at once) instead of resolving and checking the host before every attempt.
  // The connection still goes to the vetted address (the sender pins it), so a DNS change
  // meanwhile cannot redirect it; a refusal is not cached, so it is checked every time.
  const verdicts = new LRUCache<string, VettedTarget>({
    max: 10_000,
    ttl: opts.verdictTtlMs ?? TARGET_VERDICT_TTL_MS,
    fetchMethod: (url) => vetTarget(url, { allowPrivate: opts.allowPrivateTargets, lookup: opts.lookup }),
  });

  // A claim is another worker's to take over once its lease has run out, so a request
  // may only start while it can still finish (timeout included) within the lease, counted
  // from before the claim was asked for (PostgreSQL stamps it later), less a second.
  const startWithinMs = leaseSeconds * 1000 - opts.timeoutMs - 1000;
  const afterLease = (claimedAt: Date) => new Date(claimedAt.getTime() + (leaseSeconds + 1) * 1000);

  const maxUnlogged = opts.maxUnlogged ?? Number.POSITIVE_INFINITY;
  /** Delivered attempts whose success waits for the next batched log. */
  let unlogged = 0;
  /** Requests that may start once fewer successes wait for their log. */
  const logRoom: (() => void)[] = [];
  const roomToLog = () => (unlogged < maxUnlogged ? undefined : new Promise<void>((r) => logRoom.push(r)));
  const logged = () => {
    unlogged--;
    logRoom.shift()?.();
  };

  // Request slots, first come first served. Hand-rolled rather than p-limit: its wrappers
  // (an async function and promises per call) cost ~1.5 us a delivery, and the queue is
  // also the list of claimed attempts a stopping worker gives back.
  let freeSlots = opts.maxRequests ?? Number.POSITIVE_INFINITY;
  /** Claimed attempts waiting for a request slot. */
  let waiting: Waiting[] = [];
  let handingBack = false;
  let handBackQueued = false;
  function startSends() {
    while (freeSlots > 0 && waiting.length > 0) {
      const next = waiting.shift()!;
      freeSlots--;
      const sent = sendNow(next.ctx, next.signing, next.target, next.claimAskedAt);
      sent.then(slotFreed, slotFreed); // the slot is held until the answer is in
      next.resolve(sent);
    }
  }
  function slotFreed() {
    freeSlots++;
    if (!handingBack) startSends();
  }

  /** Signs and sends a claimed attempt once a request slot is free (and the log has room). */
  async function send(ctx: ClaimedContext, signing: Signing, claimAskedAt: number): Promise<SendResult | typeof TOO_LATE | 'handed-back'> {
    let target: VettedTarget;
    try {
      target = verdicts.get(signing.targetUrl) ?? (await verdicts.fetch(signing.targetUrl))!;
    } catch (err) {
      if (!(err instanceof UnsafeTargetError)) throw err;
      return { status: null, headers: {}, body: null, latencyMs: 0, error: `refused: ${err.message}` };
    }
    return new Promise((resolve, reject) => {
      waiting.push({ ctx, signing, target, claimAskedAt, resolve, reject });
      if (handingBack) queueHandBack();
      else startSends();
    });
  }

  async function sendNow(ctx: ClaimedContext, signing: Signing, target: VettedTarget, claimAskedAt: number): Promise<SendResult | typeof TOO_LATE> {
    await roomToLog();
    if (performance.now() - claimAskedAt > startWithinMs) return TOO_LATE;
    const at = now().getTime();
    return sendWebhook({
      target,
      headers: webhookHeaders(keysOf(signing, at), ctx.message_id, Math.floor(at / 1000), ctx.body),
      body: ctx.body,
      timeoutMs: opts.timeoutMs,
      maxBodyBytes: opts.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      agents: opts.agents,
    });
  }

  /** What became of one attempt, from what its claim found. Resolves once its outcome is recorded. */
  async function attemptClaimed(messageId: string, attempt: number, ctx: ClaimedContext | undefined, claimAskedAt: number): Promise<AttemptResult> {
    if (!ctx || ctx.state !== 'pending' || ctx.attempt_logged || ctx.attempts > attempt) return 'skipped';
    if (!ctx.deliverable) {
      await cancelMessage(opts.sql, messageId);
      return 'skipped';
    }
    if (!ctx.claimed) {
      // Claimed by a worker that died before logging it: retry once the lease has run out.
      if (ctx.attempts === attempt && ctx.claimed_at) {
        await scheduleAttempt(opts.sql, messageId, attempt, afterLease(ctx.claimed_at), { keyed: false });
        return 'deferred';
      }
      return 'skipped';
    }

    const cached = signings.get(ctx.subscription_id);
    const signing = cached?.version === ctx.subscription_version ? cached : await loadSigning(ctx.subscription_id);
    const result = await send(ctx, signing, claimAskedAt);
    if (result === 'handed-back') return result;
    if (result === TOO_LATE) {
      // Not sent: the attempt is taken over (by this job, re-queued) once the lease of the
      // claim made a moment ago has run out.
      await scheduleAttempt(opts.sql, messageId, attempt, afterLease(now()), { keyed: false });
      opts.logger.warn({ messageId, attempt }, 'webhook attempt waited past its lease for a free request slot; re-queued');
      return 'deferred';
    }
    const outcome = classify(result.status, result.headers['retry-after'], now());
    if (outcome.kind === 'delivered') {
      unlogged++;
      try {
        await successes.add({
          messageId,
          subscriptionId: ctx.subscription_id,
          attempt,
          responseCode: result.status!,
          responseBody: result.body,
          latencyMs: result.latencyMs,
        });
      } finally {
        logged();
      }
      return 'delivered';
    }
    await recordFailure(ctx, attempt, result, outcome);
    return outcome.kind;
  }

  async function recordFailure(ctx: ClaimedContext, attempt: number, result: SendResult, outcome: Exclude<AttemptOutcome, { kind: 'delivered' }>) {
    const delay = outcome.kind === 'failed' ? retryDelaySeconds(opts.retrySchedule, attempt + 1, outcome.retryAfterSeconds) : null;
    const nextAt = delay === null ? null : new Date(now().getTime() + delay * 1000);
    const error = result.error ?? `HTTP ${result.status}`;
    const record = {
      messageId: ctx.message_id,
      subscriptionId: ctx.subscription_id,
      attempt,
      eventType: ctx.event_type,
      body: ctx.body,
      responseCode: result.status,
      responseBody: result.body,
      latencyMs: result.latencyMs,
      error,
    };
    await opts.sql.begin(async (tx) => {
      const logged = await logFailure(tx, record, nextAt);
      if (!logged) return;
      if (outcome.kind === 'gone') {
        await disableSubscription(tx, ctx.subscription_id, 'The endpoint answered 410 Gone.');
        return;
      }
      const failures = await countFailure(tx, ctx.subscription_id);
      // Persistent failure: one message used its whole schedule with no success in between.
      if (!nextAt && failures >= opts.retrySchedule.length) {
        await disableSubscription(tx, ctx.subscription_id, `${failures} consecutive failed attempts; the last: ${error}`);
        return;
      }
      if (nextAt) await scheduleAttempt(tx, ctx.message_id, attempt + 1, nextAt);
    });
    opts.logger.debug({ messageId: ctx.message_id, attempt, status: result.status, error: result.error }, 'webhook attempt failed');
  }

  /** Attempts of jobs that start while the worker stops: queued again unclaimed, runnable at once. */
  async function handBackUnclaimed(entries: readonly { messageId: string; attempt: number }[]): Promise<AttemptResult[]> {
    await enqueueAttempts(opts.sql, entries);
    return entries.map(() => 'handed-back');
  }

  async function handBack(): Promise<number> {
    handingBack = true;
    const entries = waiting;
    waiting = [];
    if (entries.length === 0) return 0;
    const attempts = entries.map((e) => ({ messageId: e.ctx.message_id, attempt: e.ctx.requested_attempt }));
    // Their claims are given up in the same transaction, so another worker may take the
    // attempts at once instead of after their lease.
    const done = opts.sql.begin(async (tx) => {
      await releaseClaims(tx, attempts, leaseSeconds);
      await enqueueAttempts(tx, attempts);
    });
    // On failure the attempts reject: graphile-worker retries their jobs (after its backoff).
    for (const e of entries) done.then(() => e.resolve('handed-back'), e.reject);
    await done;
    return entries.length;
  }
  /** Claims that came back after the hand-back began go back together, in one go. */
  function queueHandBack() {
    if (handBackQueued) return;
    handBackQueued = true;
    queueMicrotask(() => {
      handBackQueued = false;
      void handBack().catch(() => {}); // its attempts reject, and graphile-worker retries their jobs
    });
  }

  return {
    /** One attempt of one message (a retry, a test event, a redelivery). */
    async deliver(messageId: string, attempt: number): Promise<AttemptResult> {
      if (handingBack) return (await handBackUnclaimed([{ messageId, attempt }]))[0]!;
      const claimAskedAt = performance.now();
      return attemptClaimed(messageId, attempt, await claims.load({ messageId, attempt }), claimAskedAt);
    },
    /**
     * The attempts of a batch job, claimed together in one statement; one promise per
     * attempt, so that graphile-worker re-queues only the failed ones.
     */
    deliverBatch(entries: readonly { messageId: string; attempt: number }[]): Promise<AttemptResult>[] {
      if (handingBack) {
        const handedBack = handBackUnclaimed(entries);
        return entries.map((_, i) => handedBack.then((r) => r[i]!));
      }
      const claimAskedAt = performance.now();
      const claimed = claimAttempts(hot, entries, leaseSeconds);
      return entries.map((e, i) => claimed.then((rows) => attemptClaimed(e.messageId, e.attempt, rows[i], claimAskedAt)));
    },
    /**
     * For a stopping worker: claimed attempts still waiting for a request slot give up their
     * claims and are queued again, runnable at once, and answer 'handed-back', so their jobs
     * complete as soon as the attempts in flight do, and another worker takes them over
     * without waiting for a lease or graphile-worker's failure backoff. So are attempts that
     * arrive from here on. Answers how many were handed back.
     */
    handBack,
  };
}

/** Where and how one subscription's attempts are sent, as of one version of its row. */
interface Signing {
  version: string;
  targetUrl: string;
  /** The secret's key, and those of replaced secrets with the time (ms) they stop signing. */
  keys: { key: Buffer; until: number }[];
}

/** A claimed attempt waiting for a request slot. */
interface Waiting {
  ctx: ClaimedContext;
  signing: Signing;
  target: VettedTarget;
  claimAskedAt: number;
  /** Settle the attempt's send (a closure made per attempt would cost more: see sender.ts). */
  resolve: (result: Promise<SendResult | typeof TOO_LATE> | 'handed-back') => void;
  reject: (err: unknown) => void;
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;
