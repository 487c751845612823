import type { Request } from 'express';

/** The origin this request came to (`trust proxy` is off, so it is what the client connected to). */
export function requestOrigin(req: Pick<Request, 'protocol' | 'get'>): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
