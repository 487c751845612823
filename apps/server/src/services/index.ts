import type { Config } from '../config.js';
import type { Sql } from '../db/client.js';
import { createConsumersRepository } from '../db/repositories/consumers.js';
import { createKeysRepository } from '../db/repositories/keys.js';
import { createManifestsRepository } from '../db/repositories/manifests.js';
import { createRequestLogRepository } from '../db/repositories/request-log.js';
import { createAuthenticator } from './auth.js';
import { createAuthCache } from './auth-cache.js';
import { createConsumersService } from './consumers.js';
import { createKeysService } from './keys.js';
import { createManifestsService } from './manifests.js';
import { createMeService } from './me.js';
import { createOAuthService } from './oauth/service.js';
import type { Logger } from '../logger.js';
import { createTraffic } from './limits/traffic.js';
import { createUsageService } from './usage.js';

export interface ServiceDeps {
  config: Config;
  sql: Sql;
  now: () => Date;
  logger: Logger;
}

/** Wires repositories into services. One call per app instance: no module singletons. */
export function createServices({ config, sql, now, logger }: ServiceDeps) {
  const repos = {
    consumers: createConsumersRepository(sql),
    keys: createKeysRepository(sql),
    manifests: createManifestsRepository(sql),
    requestLog: createRequestLogRepository(sql),
  };
  const consumers = createConsumersService(repos.consumers);
  const traffic = createTraffic({ config, requestLog: repos.requestLog, logger, now });
  const authCache = createAuthCache({ sql, keys: repos.keys });
  const keys = createKeysService({ keys: repos.keys, manifests: repos.manifests, consumers, now, invalidate: authCache.invalidate });
  return {
    repos,
    authCache,
    authenticator: createAuthenticator({ lookup: authCache, adminToken: config.IHF_ADMIN_TOKEN, now }),
    consumers,
    keys,
    oauth: createOAuthService({
      lookup: authCache,
      keysRepo: repos.keys,
      keys,
      tokenTtlSeconds: config.OAUTH_TOKEN_TTL_SECONDS,
      issuer: config.OAUTH_ISSUER,
      now,
      invalidate: authCache.invalidate,
    }),
    manifests: createManifestsService(repos.manifests),
    me: createMeService({ config, quota: traffic.limiter, now }),
    traffic,
    usage: createUsageService({ requestLog: repos.requestLog, consumers: repos.consumers, now }),
  };
}
export type Services = ReturnType<typeof createServices>;
