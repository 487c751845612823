import DataLoader from 'dataloader';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Sql } from '../db/client.js';
import type { ClaimedContext, DeliveriesRepository, MessageContext } from '../db/repositories/deliveries.js';
import { claimLeaseSeconds } from './lease.js';
import { enqueueAttempts, scheduleAttempt } from './outbox.js';
import { classify, retryDelaySeconds } from './retry.js';
import type { SecretBox } from './secret-box.js';
import { sendWebhook, type SenderAgents, type SendResult } from './sender.js';
import { signingKey, webhookHeaders } from './signer.js';
import { UnsafeTargetError, vetTarget, type LookupFn, type VettedTarget } from './ssrf.js';
import { createDeliveryStore, type DeliveredAttempt } from './store.js';

export interface EngineOptions {
  sql: Sql;
  /** The hot path's statements (claims, logged successes); `sql` when omitted. */
  hotSql?: Sql;
  deliveries: DeliveriesRepository;
  secretBox: SecretBox;
  logger: Logger;
  /** Seconds: [0] before the first attempt (ignored: it runs at once), [i] before attempt i+1. */
  retrySchedule: readonly number[];
  timeoutMs: number;
  allowPrivateTargets: boolean;
  maxResponseBytes?: number;
  lookup?: LookupFn;
  agents?: SenderAgents;
  /**
   * Requests in flight at once (WEBHOOK_CONCURRENCY). Attempts being claimed or logged
   * do not hold one, so the worker can run more attempts than this and keep the
   * receivers' connections busy while the database work of others goes on.
   */
  maxRequests?: number;
  /**
   * Attempts being claimed or sent at once; unlimited when omitted. A delivered attempt
   * frees its slot as soon as its answer is in, while its success waits for the next
   * batched log, up to as many such attempts again: at most twice this many attempts are
   * ever between their claim and its commit (what one crash can send twice).
   */
  maxAttempts?: number;
  /** How long an allowed target's SSRF verdict is reused; TARGET_VERDICT_TTL_MS when omitted. */
  verdictTtlMs?: number;
  now?: () => Date;
}

/** `handed-back`: never started; queued again for whichever worker takes it next. */
export type AttemptResult = 'skipped' | 'delivered' | 'failed' | 'gone' | 'deferred' | 'handed-back';

/** What `send` answers when the claim is too old to send within its lease any more. */
const TOO_LATE = Symbol('too late');

export const MAX_RESPONSE_BYTES = 4096;
/** How long a target's SSRF verdict (its vetted address) is reused before it is resolved and checked again. */
export const TARGET_VERDICT_TTL_MS = 30_000;

/**
 * One attempt of one message: claim it, vet the target, sign, send, and record the
 * outcome — log row, message state, subscription health and the next attempt's job —
 * in one transaction.
 */
export function createDeliveryEngine(opts: EngineOptions) {
  const now = opts.now ?? (() => new Date());
  const leaseSeconds = claimLeaseSeconds(opts.timeoutMs);
  // Concurrent attempts share round trips: claims, and the logging of successes, are
  // batched (DataLoader, up to 1 ms of waiting). Each attempt still awaits its own rows,
  // so no job completes before its delivery is recorded.
  // One timer serves both loaders, so the claims and the log of one tick leave together
  // (on one connection, postgres.js writes them in one go: one wake-up of the database).
  const due: (() => void)[] = [];
  let tick: NodeJS.Timeout | null = null;
  const schedule = (run: () => void) => {
    due.push(run);
    tick ??= setTimeout(() => {
      tick = null;
      for (const r of due.splice(0)) r();
    }, 1);
  };
  const batching = { cache: false, maxBatchSize: 100, batchScheduleFn: schedule };
  const store = createDeliveryStore(opts.hotSql ?? opts.sql);
  const claims = new DataLoader<{ messageId: string; attempt: number }, ClaimedContext | undefined>(
    (keys) => store.claimMany(keys, leaseSeconds),
    batching,
  );
  const successes = new DataLoader<DeliveredAttempt, true>(async (records) => {
    await store.recordSuccesses(records);
    return records.map(() => true as const);
  }, batching);

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
  /** The HMAC keys to sign with: the secret's, and those of replaced secrets still in their overlap. */
  function secretsOf(ctx: MessageContext): Buffer[] {
    const secrets = [open(ctx.secret)];
    if (ctx.previous_secret && ctx.previous_secret_expires_at && ctx.previous_secret_expires_at > now()) {
      secrets.push(open(ctx.previous_secret));
    }
    for (const older of ctx.older_secrets) {
      if (new Date(older.expires_at) > now()) secrets.push(open(older.secret));
    }
    return secrets;
  }

  // SSRF verdicts per target URL, reused for a short while (and shared by the attempts
  // that ask at once) instead of resolving and checking the host before every attempt.
  // The connection still goes to the vetted address (the sender pins it), so a DNS change
  // meanwhile cannot redirect it; a refusal is not cached, so it is checked every time.
  const verdicts = new LRUCache<string, VettedTarget>({
    max: 10_000,
    ttl: opts.verdictTtlMs ?? TARGET_VERDICT_TTL_MS,
    fetchMethod: (url) => vetTarget(url, { allowPrivate: opts.allowPrivateTargets, lookup: opts.lookup }),
  });

  const requests = pLimit(opts.maxRequests ?? Number.POSITIVE_INFINITY);
  // A claim is another worker's to take over once its lease has run out, so a request
  // may only start while it can still finish (timeout included) within the lease, counted
  // from before the claim was asked for (PostgreSQL stamps it later), less a second.
  const startWithinMs = leaseSeconds * 1000 - opts.timeoutMs - 1000;

  async function send(ctx: MessageContext, claimAskedAt: number): Promise<SendResult | typeof TOO_LATE> {
    let target: VettedTarget;
    try {
      target = verdicts.get(ctx.target_url) ?? (await verdicts.fetch(ctx.target_url))!;
    } catch (err) {
      if (!(err instanceof UnsafeTargetError)) throw err;
      return { status: null, headers: {}, body: null, latencyMs: 0, error: `refused: ${err.message}` };
    }
    return requests<[], SendResult | typeof TOO_LATE>(() => {
      if (performance.now() - claimAskedAt > startWithinMs) return TOO_LATE;
      const timestamp = Math.floor(now().getTime() / 1000);
      return sendWebhook({
        target,
        headers: webhookHeaders(secretsOf(ctx), ctx.message_id, timestamp, ctx.body),
        body: ctx.body,
        timeoutMs: opts.timeoutMs,
        maxBodyBytes: opts.maxResponseBytes ?? MAX_RESPONSE_BYTES,
        agents: opts.agents,
      });
    });
  }
  const afterLease = (claimedAt: Date) => new Date(claimedAt.getTime() + (leaseSeconds + 1) * 1000);

  // Attempts wait here before they claim anything: a batch job's messages queue up
  // without holding claims (whose leases would run) while they wait.
  const maxAttempts = opts.maxAttempts ?? Number.POSITIVE_INFINITY;
  const attempts = pLimit(maxAttempts);
  /** Delivered attempts that gave up their slot and wait for their success to be logged. */
  let unlogged = 0;
  /** Attempts waiting for a slot, so that a stopping worker can hand them back. */
  const waiting = new Set<Waiting>();
  let handingBack = false;
  let handBackQueued = false;

  /** A delivered attempt whose success is still to be logged (by the next batched statement). */
  interface Logging {
    logged: Promise<AttemptResult>;
  }

  async function attemptNow(messageId: string, attempt: number): Promise<AttemptResult | Logging> {
    const claimAskedAt = performance.now();
    const ctx = await claims.load({ messageId, attempt });
    if (!ctx || ctx.state !== 'pending' || ctx.attempt_logged || ctx.attempts > attempt) return 'skipped';
    if (!ctx.deliverable) {
      await opts.deliveries.cancel(opts.sql, messageId);
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

    const result = await send(ctx, claimAskedAt);
    if (result === TOO_LATE) {
      // Not sent: the attempt is taken over (by this job, re-queued) once the lease of the
      // claim made a moment ago has run out.
      await scheduleAttempt(opts.sql, messageId, attempt, afterLease(now()), { keyed: false });
      opts.logger.warn({ messageId, attempt }, 'webhook attempt waited past its lease for a free request slot; re-queued');
      return 'deferred';
    }
    const outcome = classify(result.status, result.headers['retry-after'], now());
    const delay = outcome.kind === 'failed' ? retryDelaySeconds(opts.retrySchedule, attempt + 1, outcome.retryAfterSeconds) : null;
    const nextAt = delay === null ? null : new Date(now().getTime() + delay * 1000);

    if (outcome.kind === 'delivered') {
      const logged = successes.load({
        messageId,
        subscriptionId: ctx.subscription_id,
        attempt,
        responseCode: result.status!,
        responseBody: result.body,
        latencyMs: result.latencyMs,
      });
      return { logged: logged.then(() => 'delivered') };
    }
    const attemptRecord = {
      messageId,
      subscriptionId: ctx.subscription_id,
      attempt,
      eventType: ctx.event_type,
      body: ctx.body,
      responseCode: result.status,
      responseBody: result.body,
      latencyMs: result.latencyMs,
    };
    await opts.sql.begin(async (tx) => {
      const logged = await opts.deliveries.recordAttempt(
        tx,
        { ...attemptRecord, status: 'failed', error: result.error ?? `HTTP ${result.status}` },
        nextAt ? 'pending' : 'failed',
        nextAt,
      );
      if (!logged) return;
      if (outcome.kind === 'gone') {
        await opts.deliveries.disableSubscription(tx, ctx.subscription_id, 'The endpoint answered 410 Gone.');
        return;
      }
      const failures = await opts.deliveries.subscriptionFailed(tx, ctx.subscription_id);
      // Persistent failure: one message used its whole schedule with no success in between.
      if (!nextAt && failures >= opts.retrySchedule.length) {
        await opts.deliveries.disableSubscription(
          tx,
          ctx.subscription_id,
          `${failures} consecutive failed attempts; the last: ${result.error ?? `HTTP ${result.status}`}`,
        );
        return;
      }
      if (nextAt) await scheduleAttempt(tx, messageId, attempt + 1, nextAt);
    });
    opts.logger.debug({ messageId, attempt, status: result.status, error: result.error }, 'webhook attempt failed');
    return outcome.kind;
  }

  async function handBack(): Promise<number> {
    handingBack = true;
    attempts.clearQueue();
    const entries = [...waiting];
    waiting.clear();
    if (entries.length === 0) return 0;
    try {
      await enqueueAttempts(opts.sql, entries);
    } catch (err) {
      // Not queued again: failing them lets graphile-worker retry their job (after its backoff).
      for (const e of entries) e.reject(err);
      throw err;
    }
    for (const e of entries) e.resolve('handed-back');
    return entries.length;
  }

  return {
    /** One attempt of one message; waits for a free attempt slot first. */
    deliver(messageId: string, attempt: number): Promise<AttemptResult> {
      return new Promise<AttemptResult>((resolve, reject) => {
        const entry: Waiting = { messageId, attempt, resolve, reject };
        waiting.add(entry);
        attempts(async () => {
          // Not started once the worker is stopping: left for the hand-back, or already handed back.
          if (handingBack || !waiting.delete(entry)) return;
          const run = attemptNow(messageId, attempt);
          resolve(run.then((r) => (typeof r === 'string' ? r : r.logged)));
          const r = await run;
          if (typeof r === 'string') return;
          // Delivered: the slot goes to the next attempt while the success waits for its
          // batched log, unless as many successes are waiting already (the bound above).
          unlogged++;
          // Settles either way (a failed log reaches the caller through `r.logged`).
          const settled = r.logged.then(
            () => void unlogged--,
            () => void unlogged--,
          );
          if (unlogged > maxAttempts) await settled;
        }).catch(() => {}); // its failure reaches the caller through `run`
        // A job that began as the worker stopped: its attempts (all queued in this tick) go back together.
        if (handingBack && !handBackQueued) {
          handBackQueued = true;
          queueMicrotask(() => {
            handBackQueued = false;
            void handBack().catch(() => {}); // on failure its attempts reject: graphile-worker retries the job
          });
        }
      });
    },
    /**
     * For a stopping worker: attempts still waiting for a slot are queued again, runnable at
     * once, and answer 'handed-back', so their jobs complete as soon as the attempts in
     * flight do, and another worker takes them over without graphile-worker's failure
     * backoff. So are attempts that arrive from here on. Answers how many were handed back.
     */
    handBack,
  };
}

interface Waiting {
  messageId: string;
  attempt: number;
  resolve: (result: AttemptResult | Promise<AttemptResult>) => void;
  reject: (err: unknown) => void;
}

export type DeliveryEngine = ReturnType<typeof createDeliveryEngine>;
