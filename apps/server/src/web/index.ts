import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type RequestHandler } from 'express';
import helmet from 'helmet';
import sirv from 'sirv';
import { ApiError } from '../errors.js';

/** Hashed file names never change content, so browsers may keep them for a year without asking. */
const ONE_YEAR = 31_536_000;

/** The pages the web build makes (apps/web), each a single-page app served at its path. */
export const WEB_PAGES = ['console', 'portal', 'docs'] as const;

/**
 * A strict Content-Security-Policy: every script, style, image, font and API call from this
 * origin only; no inline script or style element, no eval, no plugins, no framing.
 * Swagger UI's stylesheet draws its icons as data: images, so /docs allows those.
 */
function securityHeaders(images: string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", ...images],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // HSTS belongs to whatever terminates TLS in front of the server; locally it is plain HTTP.
    strictTransportSecurity: false,
  });
}

/** Builds the handler on first use, so a server started before `pnpm build` finished still serves the build. */
function whenBuilt(marker: string, make: () => RequestHandler, missing: RequestHandler): RequestHandler {
  let handler: RequestHandler | undefined;
  return (req, res, next) => {
    if (!handler) {
      if (!existsSync(marker)) return missing(req, res, next);
      handler = make();
    }
    return handler(req, res, next);
  };
}

const onlyReads: RequestHandler = (req, _res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : next('router'));

const notBuilt: RequestHandler = (_req, _res, next) =>
  next(new ApiError('service_unavailable', 'The web apps are not built: run `pnpm build` (`pnpm start` builds them when they are missing).'));

/**
 * The operator console (/console), the consumer portal (/portal) and the API reference (/docs)
 * from the web build in `dir`: files precompressed at build time (brotli, gzip) chosen by
 * Accept-Encoding, hashed assets cached for a year, each page's index.html revalidated on
 * every load and answering every path under the page (client-side routes).
 */
export function webRouter(dir: string): Router {
  const router = Router();
  const compressed = { brotli: true, gzip: true } as const;

  const assets = join(dir, 'assets');
  router.use(
    '/assets',
    onlyReads,
    securityHeaders([]),
    whenBuilt(assets, () => sirv(assets, { ...compressed, maxAge: ONE_YEAR, immutable: true }), (_req, _res, next) => next()),
  );

  for (const page of WEB_PAGES) {
    const root = join(dir, page);
    const serve = () =>
      sirv(root, {
        ...compressed,
        single: true,
        etag: true,
        maxAge: 0,
        setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
      });
    router.use(`/${page}`, onlyReads, securityHeaders(page === 'docs' ? ['data:'] : []), whenBuilt(join(root, 'index.html'), serve, notBuilt));
  }
  return router;
}
