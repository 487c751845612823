import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { Sql } from '../../db/client.js';
import type { SecretBox } from '../../lib/secret-box.js';
import type { AttemptTelemetry } from '../../observability/attempt-telemetry.js';
import {
  cancelMessage,
  claimAttempts,
  countFailure,
  disableSubscription,
  enqueueAttempts,
  logFailure,
  releaseClaims,
  scheduleAttempt,
  type AttemptKey,
  type ClaimedContext,
} from '../sql/index.js';
import { SHARED_ROUND_TRIP } from './batcher.js';
import { decideFailure, persistentFailure, type FailedOutcome } from './failure-policy.js';
import { afterLease, claimLeaseSeconds, startWithinMs } from './lease.js';
import { createRequestSlots, HANDED_BACK, type SlotRequest } from './request-slots.js';
import { classify } from './retry.js';
import { sendWebhook, type SenderAgents, type SendResult } from './sender.js';
import { webhookHeaders } from './signer.js';
import { createSigningKeys, keysAt, type Signing } from './signing-keys.js';
import { UnsafeTargetError, type LookupFn, type VettedTarget } from './ssrf.js';
import { createSuccessLog } from './success-log.js';
import { createTargetVerdicts } from './verdicts.js';

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
   * Delivered attempts whose success is still to be logged; no request starts while this
   * many wait. Unlimited when omitted. What one crash can send twice: at most
   * maxRequests + maxUnlogged.
   */
  maxUnlogged?: number;
  /** How long an allowed target's SSRF verdict is reused; TARGET_VERDICT_TTL_MS when omitted. */
  verdictTtlMs?: number;
  now?: () => Date;
  /** Told of every attempt made (metrics; a span and a traceparent header with tracing on). */
  telemetry?: AttemptTelemetry;
}

/** `handed-back`: never sent; its claim given up and queued again for whichever worker takes it next. */
export type AttemptResult = 'skipped' | 'delivered' | 'failed' | 'gone' | 'deferred' | typeof HANDED_BACK;

/** What a request slot answers when the claim is too old to send within its lease. */
const TOO_LATE = Symbol('too late');
type SendOutcome = SendResult | typeof TOO_LATE;

export const MAX_RESPONSE_BYTES = 4096;

/** A claimed attempt waiting for a request slot (one object per attempt, no closure). */
interface Waiting extends SlotRequest<SendOutcome> {
  ctx: ClaimedContext;
  signing: Signing;
  target: VettedTarget;
  claimAskedAt: number;
}

/**
 * Attempts of messages: claim, vet the target, sign, send, and record each outcome (log
 * row, message state, subscription health, the next attempt's job). A batch job's
 * messages are claimed together in one statement; single attempts arriving at once share
 * claim statements too. Each claimed attempt then waits for a request slot, and one that
 * waited too long for it is not sent late (lease).
 */
export function createDeliveryEngine(opts: EngineOptions) {
  const now = opts.now ?? (() => new Date());
  const leaseSeconds = claimLeaseSeconds(opts.timeoutMs);
  const sendWithinMs = startWithinMs(leaseSeconds, opts.timeoutMs);
  const hot = opts.hotSql ?? opts.sql;
  // Each attempt awaits its own rows, so no job completes before its delivery is recorded.
  const claims = new DataLoader<AttemptKey, ClaimedContext | undefined>((keys) => claimAttempts(hot, keys, leaseSeconds), SHARED_ROUND_TRIP);
  const successes = createSuccessLog(hot, opts.maxUnlogged);
  const signings = createSigningKeys(hot, opts.secretBox);
  const verdicts = createTargetVerdicts({ allowPrivate: opts.allowPrivateTargets, lookup: opts.lookup, ttlMs: opts.verdictTtlMs });
  const slots = createRequestSlots<Waiting, SendOutcome>({
    max: opts.maxRequests ?? Number.POSITIVE_INFINITY,
    start: (w) => sendNow(w.ctx, w.signing, w.target, w.claimAskedAt),
    arrivedWhileClosed: () => void handBack().catch(() => {}), // its attempts reject, and graphile-worker retries their jobs
  });

  /** Signs and sends a claimed attempt once a request slot is free (and the log has room). */
  async function send(ctx: ClaimedContext, signing: Signing, claimAskedAt: number): Promise<SendOutcome | typeof HANDED_BACK> {
    let target: VettedTarget;
    try {
      target = verdicts.get(signing.targetUrl) ?? (await verdicts.fetch(signing.targetUrl))!;
    } catch (err) {
      if (!(err instanceof UnsafeTargetError)) throw err;
      opts.telemetry?.refused(ctx);
      return { status: null, headers: {}, body: null, latencyMs: 0, error: `refused: ${err.message}` };
    }
    return new Promise((resolve, reject) => slots.wait({ ctx, signing, target, claimAskedAt, resolve, reject }));
  }

  async function sendNow(ctx: ClaimedContext, signing: Signing, target: VettedTarget, claimAskedAt: number): Promise<SendOutcome> {
    await successes.room();
    if (performance.now() - claimAskedAt > sendWithinMs) return TOO_LATE;
    const at = now().getTime();
    const headers = webhookHeaders(keysAt(signing, at), ctx.message_id, Math.floor(at / 1000), ctx.body);
    const span = opts.telemetry?.start(ctx, target.url, headers);
    const result = await sendWebhook({
      target,
      headers,
      body: ctx.body,
      timeoutMs: opts.timeoutMs,
      maxBodyBytes: opts.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      agents: opts.agents,
    });
    opts.telemetry?.finish(span, result);
    return result;
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
        await scheduleAttempt(opts.sql, messageId, attempt, afterLease(ctx.claimed_at, leaseSeconds), { keyed: false });
        return 'deferred';
      }
      return 'skipped';
    }

    const signing = signings.cached(ctx) ?? (await signings.load(ctx.subscription_id));
    const result = await send(ctx, signing, claimAskedAt);
    if (result === HANDED_BACK) return result;
    if (result === TOO_LATE) {
      // Not sent: taken over (by this job, re-queued) once the lease of the claim made a moment ago has run out.
      await scheduleAttempt(opts.sql, messageId, attempt, afterLease(now(), leaseSeconds), { keyed: false });
      opts.logger.warn({ messageId, attempt }, 'webhook attempt waited past its lease for a free request slot; re-queued');
      return 'deferred';
    }
    const outcome = classify(result.status, result.headers['retry-after'], now());
    if (outcome.kind === 'delivered') {
      await successes.add({
        messageId,
        subscriptionId: ctx.subscription_id,
        attempt,
        responseCode: result.status!,
        responseBody: result.body,
        latencyMs: result.latencyMs,
      });
      return 'delivered';
    }
    await recordFailure(ctx, attempt, result, outcome);
    return outcome.kind;
  }

  /** The failure's log row, its message's state, and what the failure policy decides, in one transaction. */
  async function recordFailure(ctx: ClaimedContext, attempt: number, result: SendResult, outcome: FailedOutcome) {
    const decision = decideFailure(outcome, attempt, opts.retrySchedule, now());
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
      if (!(await logFailure(tx, record, decision.retryAt))) return;
      if (decision.disable) return disableSubscription(tx, ctx.subscription_id, decision.disable);
      const failures = await countFailure(tx, ctx.subscription_id);
      const persistent = persistentFailure(failures, opts.retrySchedule, decision.retryAt, error);
      if (persistent) return disableSubscription(tx, ctx.subscription_id, persistent);
      if (decision.retryAt) await scheduleAttempt(tx, ctx.message_id, attempt + 1, decision.retryAt);
    });
    opts.logger.debug({ messageId: ctx.message_id, attempt, status: result.status, error: result.error }, 'webhook attempt failed');
  }

  /** Attempts of jobs that start while the worker stops: queued again unclaimed, runnable at once. */
  async function handBackUnclaimed(entries: readonly AttemptKey[]): Promise<AttemptResult[]> {
    await enqueueAttempts(opts.sql, entries);
    return entries.map(() => HANDED_BACK);
  }

  async function handBack(): Promise<number> {
    slots.close();
    const entries = slots.takeWaiting();
    if (entries.length === 0) return 0;
    const attempts = entries.map((e) => ({ messageId: e.ctx.message_id, attempt: e.ctx.requested_attempt }));
    // Their claims are given up in the same transaction, so another worker may take the
    // attempts at once instead of after their lease.
    const done = opts.sql.begin(async (tx) => {
      await releaseClaims(tx, attempts, leaseSeconds);
      await enqueueAttempts(tx, attempts);
    });
    // On failure the attempts reject: graphile-worker retries their jobs (after its backoff).
    for (const e of entries) done.then(() => e.resolve(HANDED_BACK), e.reject);
    await done;
    return entries.length;
  }

  return {
    /** One attempt of one message (a retry, a test event, a redelivery). */
    async deliver(messageId: string, attempt: number): Promise<AttemptResult> {
      if (slots.closed) return (await handBackUnclaimed([{ messageId, attempt }]))[0]!;
      const claimAskedAt = performance.now();
      return attemptClaimed(messageId, attempt, await claims.load({ messageId, attempt }), claimAskedAt);
    },
    /**
     * The attempts of a batch job, claimed together in one statement; one promise per
     * attempt, so that graphile-worker re-queues only the failed ones.
     */
    deliverBatch(entries: readonly AttemptKey[]): Promise<AttemptResult>[] {
      if (slots.closed) {
        const handedBack = handBackUnclaimed(entries);
        return entries.map((_, i) => handedBack.then((r) => r[i]!));
      }
      const claimAskedAt = performance.now();
      const claimed = claimAttempts(hot, entries, leaseSeconds);
      return entries.map((e, i) => claimed.then((rows) => attemptClaimed(e.messageId, e.attempt, rows[i], claimAskedAt)));
    },
    /**
     * For a stopping worker: claimed attempts still waiting for a request slot give up
     * their claims, are queued again runnable at once and answer 'handed-back', so their
     * jobs complete with the attempts in flight and another worker takes them over at
     * once. So are attempts that arrive from here on. Answers how many were handed back.
     */
    handBack,
  };
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;
