import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes a sane caller-supplied X-Request-Id, or makes one; echoes it on the response. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.get('x-request-id');
  req.requestId = given && ACCEPTABLE.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
};
