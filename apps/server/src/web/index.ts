import { statSync } from 'node:fs';
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
export function securityHeaders(images: string[]): RequestHandler {
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

/**
 * Serves with a handler made for the build as it is on disk (sirv indexes the files once),
 * made again when `marker` changes: a rebuild while the server runs (`pnpm build` beside
 * `pnpm start`) is served at once, and a server started before the build serves it once made.
 */
function forCurrentBuild(marker: string, make: () => RequestHandler, missing: RequestHandler): RequestHandler {
  let handler: RequestHandler | undefined;
  let builtAt = 0;
  return (req, res, next) => {
    const stamp = statSync(marker, { throwIfNoEntry: false })?.mtimeMs;
    if (stamp === undefined) return missing(req, res, next);
    if (!handler || stamp !== builtAt) {
      handler = make();
      builtAt = stamp;
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
    forCurrentBuild(assets, () => sirv(assets, { ...compressed, maxAge: ONE_YEAR, immutable: true }), (_req, _res, next) => next()),
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
    router.use(`/${page}`, onlyReads, securityHeaders(page === 'docs' ? ['data:'] : []), forCurrentBuild(join(root, 'index.html'), serve, notBuilt));
  }
  return router;
}
