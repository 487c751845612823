import { readScope, type EventTopic, type RecordResource, type Scope, type WebhookDelivery, type WebhookSubscription } from '@ihf/contract';
import type { Sql } from '../../db/client.js';
import type { ManifestsRepository } from '../../db/repositories/manifests.js';
import type { SubscriptionPatch, SubscriptionRow, SubscriptionsRepository } from '../../db/repositories/subscriptions.js';
import { toPage } from '../../db/pagination.js';
import { ApiError, notFound } from '../../errors.js';
import { insufficientScope } from '../auth.js';
import { iso, isoOrNull } from '../../lib/time.js';
import { webhookBody } from '../../webhooks/outbox.js';
import type { SecretBox } from '../../lib/secret-box.js';
import {
  enqueueAttempts,
  enqueueSingle,
  findDelivery,
  listAllDeliveries,
  listDeliveries,
  reopenMessage,
  reopenUndelivered,
  scheduleAttempt,
  type DeliveryRow,
} from '../../webhooks/sql/index.js';
import { generateWebhookSecret } from '../../webhooks/delivery/signer.js';
import { UnsafeTargetError, vetTarget, type LookupFn } from '../../webhooks/delivery/ssrf.js';
import { sampleRecord } from './samples.js';

/** The record resource whose data a topic carries: subscribing needs its read scope. */
const TOPIC_RESOURCE: Record<EventTopic, RecordResource> = {
  'interaction_event.created': 'interaction-events',
  'annotation.created': 'annotations',
  'requirement_candidate.created': 'requirement-candidates',
  'decision_record.created': 'decision-records',
  'deployment_record.created': 'deployment-records',
  'outcome_signal.created': 'outcome-signals',
};

/** How long a replaced secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_SECONDS = 24 * 60 * 60;
/**
 * Secrets that sign one delivery at most: the current one and those replaced within the
 * last 24 h. Each adds a signature to every delivery's header, so repeated rotations
 * cannot grow it without bound.
 */
export const MAX_SIGNING_SECRETS = 5;
/** How far back `recover` may reach. */
export const RECOVER_WINDOW_DAYS = 14;

export function toSubscription(row: SubscriptionRow): WebhookSubscription {
  return {
    id: row.id,
    event_type: row.event_type,
    target_url: row.target_url,
    is_active: row.is_active,
    disabled_at: isoOrNull(row.disabled_at),
    disabled_reason: row.disabled_reason,
    consecutive_failures: row.consecutive_failures,
    secret_rotated_at: isoOrNull(row.secret_rotated_at),
    previous_secret_expires_at: isoOrNull(row.previous_secret_expires_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    subscription_id: row.webhook_subscription_id,
    message_id: row.webhook_message_id ?? '',
    event_type: row.event_type ?? '',
    attempt: row.attempt ?? 1,
    status: row.status,
    response_code: row.response_code,
    response_body: row.response_body,
    latency_ms: row.latency_ms,
    error_message: row.error_message,
    attempted_at: iso(row.attempted_at),
  };
}

export interface SubscriptionsServiceDeps {
  sql: Sql;
  subscriptions: SubscriptionsRepository;
  /** How long a claim holds (claimLeaseSeconds): an attempt in flight refuses redeliver and recover. */
  leaseSeconds: number;
  manifests: ManifestsRepository;
  secretBox: SecretBox | null;
  allowPrivateTargets: boolean;
  lookup?: LookupFn;
  now: () => Date;
}

const targetRefused = (err: UnsafeTargetError) =>
  new ApiError('validation_failed', `target_url is refused: ${err.message}.`, {
    errors: [{ location: 'body', pointer: '/target_url', message: err.message, code: `unsafe_target_${err.reason}` }],
  });

export function createSubscriptionsService(deps: SubscriptionsServiceDeps) {
  const { subscriptions } = deps;

  function box(): SecretBox {
    if (!deps.secretBox) throw new ApiError('service_unavailable', 'Webhooks need IHF_SECRET_KEY to be configured.');
    return deps.secretBox;
  }

  async function checkTarget(url: string) {
    try {
      await vetTarget(url, { allowPrivate: deps.allowPrivateTargets, lookup: deps.lookup });
    } catch (err) {
      if (err instanceof UnsafeTargetError) throw targetRefused(err);
      throw err;
    }
  }

  async function own(ownerId: string, id: string): Promise<SubscriptionRow> {
    const row = await subscriptions.find(ownerId, id);
    if (!row) throw notFound('webhook subscription', id);
    return row;
  }

  /**
   * A subscription that something can be sent to now. Queued for one that is paused or
   * disabled, a test or redelivery would be dropped by the worker without an attempt to
   * show in the log, so the caller hears why instead.
   */
  async function live(ownerId: string, id: string): Promise<SubscriptionRow> {
    const row = await own(ownerId, id);
    if (await subscriptions.isRecipient(row.id)) return row;
    const why = row.disabled_at
      ? `is disabled (${row.disabled_reason ?? 'persistent failure'}); re-enable it with PATCH {"is_active": true} first`
      : !row.is_active
        ? 'is paused; set is_active to true first'
        : 'carries an event type your hub manifest no longer lists';
    throw new ApiError('conflict', `Nothing can be delivered: this subscription ${why}.`);
  }

  return {
    async create(
      owner: { id: string; hub_capability_manifest_id: string | null },
      scopes: ReadonlySet<Scope>,
      body: { event_type: EventTopic; target_url: string },
    ) {
      // A webhook carries the whole record, so it may not reach anyone the API would not show it to.
      const needed = readScope(TOPIC_RESOURCE[body.event_type]);
      if (!scopes.has(needed)) throw insufficientScope([needed]);
      if (owner.hub_capability_manifest_id) {
        const manifest = await deps.manifests.findById(owner.hub_capability_manifest_id);
        if (!manifest?.event_types.includes(body.event_type)) {
          throw new ApiError('validation_failed', `Your hub manifest does not list the event type ${body.event_type}.`, {
            errors: [{ location: 'body', pointer: '/event_type', message: 'Not in the hub manifest’s event_types', code: 'not_in_manifest' }],
          });
        }
      }
      await checkTarget(body.target_url);
      const secret = generateWebhookSecret();
      const row = await subscriptions.insert({
        api_consumer_id: owner.id,
        event_type: body.event_type,
        target_url: body.target_url,
        secret: box().seal(secret),
      });
      return { ...toSubscription(row), secret };
    },

    async list(ownerId: string, q: { limit: number; cursor?: string; event_type?: EventTopic }) {
      const rows = await subscriptions.list(ownerId, { limit: q.limit, cursor: q.cursor, eventType: q.event_type });
      return toPage(rows, q.limit, toSubscription);
    },

    get: async (ownerId: string, id: string) => toSubscription(await own(ownerId, id)),

    async update(ownerId: string, id: string, patch: SubscriptionPatch) {
      if (patch.target_url !== undefined) await checkTarget(patch.target_url);
      const row = await subscriptions.update(ownerId, id, patch);
      if (!row) throw notFound('webhook subscription', id);
      return toSubscription(row);
    },

    async remove(ownerId: string, id: string) {
      if (!(await subscriptions.softDelete(ownerId, id))) throw notFound('webhook subscription', id);
    },

    async rotateSecret(ownerId: string, id: string) {
      const secret = generateWebhookSecret();
      const rotated = await subscriptions.rotate(ownerId, id, box().seal(secret), {
        overlapSeconds: ROTATION_OVERLAP_SECONDS,
        maxOlder: MAX_SIGNING_SECRETS - 2,
      });
      if (!rotated) throw notFound('webhook subscription', id);
      if ('busyUntil' in rotated) {
        throw new ApiError(
          'conflict',
          `${MAX_SIGNING_SECRETS} secrets already sign this subscription's deliveries; the oldest stops at ` +
            `${iso(rotated.busyUntil)}. Rotate again after that.`,
        );
      }
      return { ...toSubscription(rotated.row), secret };
    },

    async sendTest(ownerId: string, id: string) {
      const sub = await live(ownerId, id);
      const now = deps.now();
      const body = webhookBody(sub.event_type, iso(now), sampleRecord(sub.event_type, ownerId, now));
      const messageId = await deps.sql.begin((tx) => enqueueSingle(tx, { subscriptionId: sub.id, topic: sub.event_type, body, prefix: 'msg_test_' }));
      return { message_id: messageId, subscription_id: sub.id, event_type: sub.event_type, queued_at: iso(now) };
    },

    async recover(ownerId: string, id: string, since: string) {
      // Bounds the work one call can start (one transaction, one job per 100 messages).
      if (Date.parse(since) < deps.now().getTime() - RECOVER_WINDOW_DAYS * 86_400_000) {
        throw new ApiError('validation_failed', `since may be at most ${RECOVER_WINDOW_DAYS} days ago.`, {
          errors: [{ location: 'body', pointer: '/since', message: `At most ${RECOVER_WINDOW_DAYS} days ago`, code: 'too_small' }],
        });
      }
      const sub = await live(ownerId, id);
      // Unkeyed batch jobs, as a fan-out's: a cancelled message's stale retry job, if any,
      // finds its attempt taken when it runs and skips.
      const queued = await deps.sql.begin(async (tx) => {
        const attempts = await reopenUndelivered(tx, sub.id, since, deps.leaseSeconds);
        if (attempts.length > 0) await enqueueAttempts(tx, attempts);
        return attempts.length;
      });
      return { subscription_id: sub.id, since: iso(new Date(since)), queued };
    },

    async listDeliveries(ownerId: string, id: string, q: { limit: number; cursor?: string; status?: string }) {
      await own(ownerId, id);
      const rows = await listDeliveries(deps.sql, id, q);
      return toPage(rows, q.limit, toDelivery);
    },

    /** The operator's view: attempts across every consumer's subscriptions. */
    async listAllDeliveries(q: {
      limit: number;
      cursor?: string;
      from?: string;
      to?: string;
      consumer_id?: string;
      subscription_id?: string;
      status?: string;
      event_type?: string;
    }) {
      const rows = await listAllDeliveries(deps.sql, {
        limit: q.limit,
        cursor: q.cursor,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        consumerId: q.consumer_id,
        subscriptionId: q.subscription_id,
        status: q.status,
        eventType: q.event_type,
      });
      return toPage(rows, q.limit, (row) => ({ ...toDelivery(row), consumer_id: row.api_consumer_id, target_url: row.target_url }));
    },

    async redeliver(ownerId: string, id: string, deliveryId: string) {
      const sub = await live(ownerId, id);
      const delivery = await findDelivery(deps.sql, id, deliveryId);
      if (!delivery?.webhook_message_id) throw notFound('delivery', deliveryId);
      const messageId = delivery.webhook_message_id;
      await deps.sql.begin(async (tx) => {
        const attempt = await reopenMessage(tx, messageId, deps.leaseSeconds);
        if (attempt === undefined) {
          throw new ApiError('conflict', 'An attempt of this message is being sent right now; its outcome will appear in the delivery log. Redeliver once it has.', {
            headers: { 'Retry-After': '1' },
          });
        }
        await scheduleAttempt(tx, messageId, attempt);
      });
      return { message_id: messageId, subscription_id: sub.id, event_type: sub.event_type, queued_at: iso(deps.now()) };
    },
  };
}
export type SubscriptionsService = ReturnType<typeof createSubscriptionsService>;
