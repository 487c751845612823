import { codeForSlug } from '@ihf/contract';
import { Router, type Request, type Response } from 'express';
import { ApiError } from '../errors.js';
import { securityHeaders } from '../web/index.js';
import { problemIndexHtml, problemIndexJson, problemPageHtml, problemPageJson, STYLESHEET, STYLESHEET_PATH } from './pages.js';

/** The pages are fixed for a build; an hour's caching spares repeated look-ups. */
const CACHE = 'public, max-age=3600';

function answer(req: Request, res: Response, html: () => string, json: () => unknown): void {
  res.set({ 'Cache-Control': CACHE, Vary: 'Accept' });
  if (req.accepts(['html', 'json']) === 'json') res.json(json());
  else res.type('html').send(html());
}

/**
 * GET /problems/{slug}: the page each problem `type` URI names, HTML or (Accept:
 * application/json) JSON, made from the contract's error table. `base` is PUBLIC_BASE_URL or ''.
 */
export function problemsRouter(base: string): Router {
  const router = Router();
  router.use('/problems', securityHeaders([]));
  router.get(STYLESHEET_PATH, (_req, res) => {
    res.set('Cache-Control', CACHE).type('text/css').send(STYLESHEET);
  });
  router.get('/problems', (req, res) => answer(req, res, problemIndexHtml, () => problemIndexJson(base)));
  router.get('/problems/:slug', (req, res) => {
    const code = codeForSlug(req.params.slug);
    if (!code) throw new ApiError('not_found', `There is no problem type ${req.params.slug}; GET /problems lists them.`);
    answer(req, res, () => problemPageHtml(code, base), () => problemPageJson(code, base));
  });
  return router;
}
