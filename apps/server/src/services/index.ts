import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { createConsumersRepository } from '../db/repositories/consumers.js';
import { createKeysRepository } from '../db/repositories/keys.js';
import { createManifestsRepository } from '../db/repositories/manifests.js';
import { createRequestLogRepository } from '../db/repositories/request-log.js';
import { createAuthenticator } from './auth.js';
import { createAuthCache, syncedWrites } from './auth-cache.js';
import { createConsumersService } from './consumers.js';
import { createKeysService } from './keys.js';
import { createManifestsService } from './manifests.js';
import { createMeService } from './me.js';
import { createOAuthService } from './oauth/service.js';
import { createAutoApproveRulesRepository } from '../db/repositories/auto-approve-rules.js';
import { createReviewQueueRepository } from '../db/repositories/review-queue.js';
import { createAutoApproveRulesService } from './trust/auto-approve-rules.js';
import { heuristicScreener } from './trust/heuristic-scorer.js';
import { createTrustPolicy } from './trust/policy.js';
import { createReviewQueueService } from './trust/review-queue.js';
import { createIdempotencyRepository } from '../db/repositories/idempotency.js';
import { createRecordsRepository } from '../db/repositories/records.js';
import { createSubscriptionsRepository } from '../db/repositories/subscriptions.js';
import { createRecordsService } from './records/records.js';
import { createInteractionTypesService } from './records/interaction-types.js';
import type { SubmissionPolicy } from './records/submission-policy.js';
import { createSubscriptionsService } from './subscriptions/subscriptions.js';
import { claimLeaseSeconds } from '../webhooks/delivery/lease.js';
import { createSecretBox } from '../lib/secret-box.js';
import type { Logger } from '../logger.js';
import { createTraffic } from './limits/traffic.js';
import { createUsageService } from './usage.js';
import { createPortalCredentialsRepository } from '../db/repositories/portal-credentials.js';
import { createPortalSessionsService } from './portal-sessions.js';
import { createAdminSubscriptionsRepository } from '../db/repositories/admin-subscriptions.js';
import { createAdminWebhookSubscriptionsService } from './subscriptions/admin.js';
import { createWebhookStatsService } from './subscriptions/stats.js';
import { createWebhookSecretsService } from './subscriptions/secrets.js';

export interface ServiceDeps {
  config: Config;
  sql: Sql;
  now: () => Date;
  /** Screening / auto-approve of annotations and candidates; the default screens nothing. */
  submissionPolicy?: SubmissionPolicy;
  logger: Logger;
}

/** Wires repositories into services. One call per app instance: no module singletons. */
export function createServices({ config, sql, now, logger, submissionPolicy }: ServiceDeps) {
  const repos = {
    consumers: createConsumersRepository(sql),
    keys: createKeysRepository(sql),
    manifests: createManifestsRepository(sql),
    requestLog: createRequestLogRepository(sql),
    records: createRecordsRepository(sql),
    subscriptions: createSubscriptionsRepository(sql),
    idempotency: createIdempotencyRepository(sql),
    portalCredentials: createPortalCredentialsRepository(sql),
    adminSubscriptions: createAdminSubscriptionsRepository(sql),
  };
  const consumers = createConsumersService(repos.consumers, (ids) => repos.requestLog.admittedTodayByConsumer(ids, now()), config);
  const traffic = createTraffic({ config, requestLog: repos.requestLog, logger, now });
  const authCache = createAuthCache({ sql, keys: repos.keys });
  const keys = createKeysService({
    keys: repos.keys,
    manifests: repos.manifests,
    consumers,
    now,
    invalidate: authCache.invalidate,
    sync: () => authCache.sync(),
  });
  const secretBox = config.IHF_SECRET_KEY ? createSecretBox(config.IHF_SECRET_KEY) : null;
  return {
    repos,
    secretBox,
    authCache,
    authenticator: createAuthenticator({ lookup: authCache, adminToken: config.IHF_ADMIN_TOKEN, now }),
    // Changes that narrow or end credentials answer once they are in force (auth-cache.ts).
    consumers: syncedWrites(consumers, ['update', 'deactivate'], authCache),
    keys,
    autoApproveRules: createAutoApproveRulesService(createAutoApproveRulesRepository(sql)),
    reviewQueue: createReviewQueueService({ sql, repo: createReviewQueueRepository(sql), now }),
    oauth: createOAuthService({
      lookup: authCache,
      keysRepo: repos.keys,
      keys,
      tokenTtlSeconds: config.OAUTH_TOKEN_TTL_SECONDS,
      issuer: config.OAUTH_ISSUER,
      now,
      invalidate: authCache.invalidate,
      sync: () => authCache.sync(),
    }),
    manifests: syncedWrites(createManifestsService(repos.manifests), ['update'], authCache),
    records: createRecordsService({ sql, repo: repos.records, policy: submissionPolicy ?? createTrustPolicy({ screener: heuristicScreener, threshold: config.INJECTION_THRESHOLD }) }),
    interactionTypes: createInteractionTypesService(sql),
    webhookSubscriptions: createSubscriptionsService({
      sql,
      subscriptions: repos.subscriptions,
      leaseSeconds: claimLeaseSeconds(config.WEBHOOK_TIMEOUT_MS),
      manifests: repos.manifests,
      secretBox,
      allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
      now,
    }),
    portalSessions: createPortalSessionsService({
      keys,
      keysRepo: repos.keys,
      repo: repos.portalCredentials,
      manifests: repos.manifests,
      consumers,
      publicBaseUrl: config.PUBLIC_BASE_URL,
      now,
      invalidate: authCache.invalidate,
      sync: () => authCache.sync(),
    }),
    adminWebhookSubscriptions: createAdminWebhookSubscriptionsService({
      repo: repos.adminSubscriptions,
      subscriptions: repos.subscriptions,
      consumers,
    }),
    webhookStats: createWebhookStatsService({
      sql,
      subscriptions: repos.subscriptions,
      adminSubscriptions: repos.adminSubscriptions,
      consumers,
      now,
    }),
    webhookSecrets: createWebhookSecretsService({ subscriptions: repos.subscriptions, secretBox }),
    me: createMeService({ config, quota: traffic.limiter, now }),
    traffic,
    usage: createUsageService({ requestLog: repos.requestLog, consumers: repos.consumers, now }),
  };
}
export type Services = ReturnType<typeof createServices>;
