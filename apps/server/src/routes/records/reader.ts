import type { Request } from 'express';
import type { Reader } from '../../services/records/records.js';
import { consumerOf } from '../auth-context.js';

/**
 * The caller as a reader of records: which quarantined records it may see and reference.
 * Takes only `auth`, as ts-rest's request narrows `query` past what express's Request accepts.
 */
export function readerOf(req: Pick<Request, 'auth'>): Reader {
  const { consumer, scopes } = consumerOf(req as Request);
  return { consumerId: consumer.id, isAdmin: scopes.has('admin') };
}
