import { Router, type Request } from 'express';
import type { Config } from '../config.js';
import { requestOrigin } from '../lib/origin.js';
import { authorizationServerMetadata } from '../services/oauth/metadata.js';

/**
 * The issuer: OAUTH_ISSUER when set (production, behind a proxy); otherwise this
 * request's own origin, which is what a client that fetched the metadata expects.
 */
export function issuerFor(config: Pick<Config, 'OAUTH_ISSUER'>, req: Request): string {
  return config.OAUTH_ISSUER ?? requestOrigin(req);
}

/** RFC 8414 metadata at /.well-known/oauth-authorization-server (outside the /api/v2 contract). */
export function oauthMetadataRouter(config: Pick<Config, 'OAUTH_ISSUER'>): Router {
  const router = Router();
  router.get('/.well-known/oauth-authorization-server', (req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').json(authorizationServerMetadata(issuerFor(config, req)));
  });
  return router;
}
