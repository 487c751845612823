import type { contract } from '@ihf/contract';
import type { createExpressEndpoints } from '@ts-rest/express';
import type { Services } from '../services/index.js';
import { consumersRouter } from './admin/consumers.js';
import { keysRouter } from './admin/keys.js';
import { manifestsRouter } from './admin/manifests.js';
import { autoApproveRulesRouter } from './admin/auto-approve-rules.js';
import { reviewQueueRouter } from './admin/review-queue.js';
import { meRouter } from './me.js';
import { eventTypesRouter } from './event-types.js';
import { annotationsRouter } from './records/annotations.js';
import { decisionRecordsRouter } from './records/decision-records.js';
import { deploymentRecordsRouter } from './records/deployment-records.js';
import { interactionEventsRouter } from './records/interaction-events.js';
import { outcomeSignalsRouter } from './records/outcome-signals.js';
import { requirementCandidatesRouter } from './records/requirement-candidates.js';
import { webhookSubscriptionsRouter } from './webhook-subscriptions.js';
import { tokenRouter } from './token.js';
import { usageRouter } from './usage.js';
import { adminUsageRouter } from './admin/usage.js';
import { adminWebhooksRouter } from './admin/webhooks.js';
import { adminInteractionTypesRouter } from './admin/interaction-types.js';
import { adminWebhookSubscriptionsRouter } from './admin/webhook-subscriptions.js';
import { adminWebhookStatsRouter, webhookStatsRouter } from './webhook-stats.js';
import { adminPortalSessionsRouter, portalSessionsRouter } from './portal-sessions.js';

/** What implements the whole contract, checked by ts-rest's types (a route left out does not compile). */
export type ContractImplementation = Parameters<typeof createExpressEndpoints<typeof contract>>[1];

/** Every resource router, composed in one place against the one contract (served by dispatch.ts). */
export function apiRouters(services: Services): ContractImplementation {
  return {
    me: meRouter(services),
    interactionEvents: interactionEventsRouter(services),
    annotations: annotationsRouter(services),
    requirementCandidates: requirementCandidatesRouter(services),
    decisionRecords: decisionRecordsRouter(services),
    deploymentRecords: deploymentRecordsRouter(services),
    outcomeSignals: outcomeSignalsRouter(services),
    eventTypes: eventTypesRouter(services),
    webhookSubscriptions: webhookSubscriptionsRouter(services),
    token: tokenRouter(services),
    usage: usageRouter(services),
    portalSessions: portalSessionsRouter(services),
    webhookStats: webhookStatsRouter(services),
    admin: {
      consumers: consumersRouter(services),
      keys: keysRouter(services),
      manifests: manifestsRouter(services),
      autoApproveRules: autoApproveRulesRouter(services),
      reviewQueue: reviewQueueRouter(services),
      usage: adminUsageRouter(services),
      webhooks: adminWebhooksRouter(services),
      interactionTypes: adminInteractionTypesRouter(services),
      portalSessions: adminPortalSessionsRouter(services),
      webhookSubscriptions: adminWebhookSubscriptionsRouter(services),
      webhookStats: adminWebhookStatsRouter(services),
    },
  };
}
