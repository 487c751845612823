// Every statement on webhook messages and their delivery log, by concept, whichever path
// runs it (the worker's hot path, the API, the outbox).
export { claimAttempts, signingContexts, type AttemptKey, type ClaimedContext, type SigningContext } from './claim.js';
export { findDelivery, listAllDeliveries, listDeliveries, type DeliveryRow } from './deliveries.js';
export { enqueueAttempts, enqueueSingle, fanOut, recipientCount, scheduleAttempt, type EventToSend } from './enqueue.js';
export { countFailure, disableSubscription, logFailure, logSuccesses, type DeliveredAttempt, type FailedAttempt } from './log.js';
export { deliveryBacklog, type Backlog } from './backlog.js';
export { releaseClaims } from './release.js';
export { attemptSeries, attemptTotals, type AttemptCounts, type WebhookStatsFilter } from './stats.js';
export { cancelMessage, reopenMessage, reopenUndelivered } from './reopen.js';
