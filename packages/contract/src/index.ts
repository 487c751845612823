import { c, commonResponses } from './common.js';
import { consumersContract } from './resources/admin/consumers.js';
import { keysContract } from './resources/admin/keys.js';
import { manifestsContract } from './resources/admin/manifests.js';
import { autoApproveRulesContract } from './resources/admin/auto-approve-rules.js';
import { reviewQueueContract } from './resources/admin/review-queue.js';
import { meContract } from './resources/me.js';
import { eventTypesContract } from './resources/event-types.js';
import { annotationsContract } from './resources/records/annotations.js';
import { decisionRecordsContract } from './resources/records/decision-records.js';
import { deploymentRecordsContract } from './resources/records/deployment-records.js';
import { interactionEventsContract } from './resources/records/interaction-events.js';
import { outcomeSignalsContract } from './resources/records/outcome-signals.js';
import { requirementCandidatesContract } from './resources/records/requirement-candidates.js';
import { webhookSubscriptionsContract } from './resources/webhook-subscriptions.js';
import { tokenContract } from './resources/token.js';
import { usageContract } from './resources/usage.js';
import { adminUsageContract } from './resources/admin/usage.js';
import { adminWebhooksContract } from './resources/admin/webhooks.js';
import { adminInteractionTypesContract } from './resources/admin/interaction-types.js';
import { adminWebhookSubscriptionsContract } from './resources/admin/webhook-subscriptions.js';
import { adminWebhookStatsContract, webhookStatsContract } from './resources/webhook-stats.js';
import { adminPortalSessionsContract, portalSessionsContract } from './resources/portal-sessions.js';

export const API_PREFIX = '/api/v2';

/** The whole /api/v2 surface. Routers are composed here, and only here. */
export const contract = c.router(
  {
    me: meContract,
    interactionEvents: interactionEventsContract,
    annotations: annotationsContract,
    requirementCandidates: requirementCandidatesContract,
    decisionRecords: decisionRecordsContract,
    deploymentRecords: deploymentRecordsContract,
    outcomeSignals: outcomeSignalsContract,
    eventTypes: eventTypesContract,
    webhookSubscriptions: webhookSubscriptionsContract,
    token: tokenContract,
    usage: usageContract,
    portalSessions: portalSessionsContract,
    webhookStats: webhookStatsContract,
    admin: {
      consumers: consumersContract,
      keys: keysContract,
      manifests: manifestsContract,
      autoApproveRules: autoApproveRulesContract,
      reviewQueue: reviewQueueContract,
      usage: adminUsageContract,
      webhooks: adminWebhooksContract,
      interactionTypes: adminInteractionTypesContract,
      portalSessions: adminPortalSessionsContract,
      webhookSubscriptions: adminWebhookSubscriptionsContract,
      webhookStats: adminWebhookStatsContract,
    },
  },
  { pathPrefix: API_PREFIX, commonResponses, strictStatusCodes: true },
);
export type Contract = typeof contract;

export * from './common.js';
export * from './errors.js';
export * from './error-guide.js';
export * from './scopes.js';
export * from './tiers.js';
export * from './webhooks/topics.js';
export { Consumer } from './resources/admin/consumers.js';
export { ApiKey, CreatedApiKey, TokenTypeSchema, type TokenType } from './resources/admin/keys.js';
export { AdminWebhookSubscription, SubscriptionStateSchema } from './resources/admin/webhook-subscriptions.js';
export { WebhookStats, WebhookStatsCounts } from './resources/webhook-stats.js';
export { PortalSession, PORTAL_TTL } from './resources/portal-sessions.js';
export { Manifest } from './resources/admin/manifests.js';
export { AutoApproveRule } from './resources/admin/auto-approve-rules.js';
export { Me } from './resources/me.js';
export { TokenResponse, OAuthError, IntrospectionResponse, OAUTH_ERRORS } from './resources/token.js';
export { UsageSeries, UsageCounts, type UsageCountsT } from './resources/usage.js';
export { UsageOverview, RequestLogEntry, RequestLogPage, BillingUsage, TrafficSeries, StatusClassSchema, type StatusClass } from './resources/admin/usage.js';
export * from './webhooks/events.js';
export { eventCatalog, InteractionType } from './resources/event-types.js';
export { InteractionEvent, MAX_BATCH_EVENTS, MAX_PROPERTIES_BYTES } from './resources/records/interaction-events.js';
export { Annotation } from './resources/records/annotations.js';
export { RequirementCandidate } from './resources/records/requirement-candidates.js';
export { DecisionRecord } from './resources/records/decision-records.js';
export { DeploymentRecord } from './resources/records/deployment-records.js';
export { OutcomeSignal } from './resources/records/outcome-signals.js';
export { WebhookSubscription, WebhookDelivery } from './resources/webhook-subscriptions.js';
