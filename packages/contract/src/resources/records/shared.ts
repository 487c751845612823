import { z } from 'zod';
import { consumerMeta, IdempotencyHeaders, listOf, PaginationQuery, Problem, Timestamp, Uuid } from '../../common.js';
import { readScope, writeScope, type RecordResource } from '../../scopes.js';

/** Filters every record list takes: a half-open creation-time window. */
export const CreatedWindowQuery = PaginationQuery.extend({
  created_after: Timestamp.optional().describe('Only records created at or after this instant'),
  created_before: Timestamp.optional().describe('Only records created strictly before this instant'),
});

/** Members every record carries: who wrote it and when. */
export const recordBase = {
  id: Uuid,
  consumer_id: Uuid.describe('The consumer that wrote the record'),
  created_at: Timestamp,
};

const RecordParams = z.object({ id: Uuid });

/** How quarantine shows on the read routes of the screened resources (annotations, requirement candidates). */
export const QUARANTINE_VISIBILITY = {
  list:
    'Records of every consumer. A `quarantined` record (held back by injection screening) is listed only to the ' +
    'consumer that submitted it and to credentials with scope `admin` until an admin releases it; other consumers ' +
    'never see it, not even with `status=quarantined`. A requirement candidate an admin rejects while quarantined ' +
    'stays hidden the same way.',
  get:
    'A `quarantined` record (held back by injection screening) is returned only to the consumer that submitted it ' +
    'and to credentials with scope `admin` until an admin releases it (a requirement candidate rejected while ' +
    'quarantined: for good); any other consumer gets 404, as for an unknown id.',
};

/**
 * The create / get / list routes of one record resource, behind its `…:write` and
 * `…:read` scopes. Every create honours `Idempotency-Key`.
 */
export function recordRoutes<
  P extends RecordResource,
  R extends z.ZodTypeAny,
  B extends z.ZodTypeAny,
  Q extends z.AnyZodObject,
>(opts: {
  resource: P;
  tag: string;
  noun: string;
  record: R;
  create: B;
  listQuery: Q;
  listTitle: string;
  descriptions?: { create?: string; list?: string; get?: string };
}) {
  const path: `/${P}` = `/${opts.resource}`;
  const itemPath: `/${P}/:id` = `/${opts.resource}/:id`;
  return {
    create: {
      method: 'POST' as const,
      path,
      body: opts.create,
      headers: IdempotencyHeaders,
      responses: { 201: opts.record, 409: Problem },
      summary: `Create ${opts.noun}`,
      description: opts.descriptions?.create,
      metadata: consumerMeta(opts.tag, [writeScope(opts.resource)], { idempotent: true }),
    },
    list: {
      method: 'GET' as const,
      path,
      query: opts.listQuery,
      responses: { 200: listOf(opts.record, opts.listTitle) },
      summary: `List ${opts.noun} records, newest first`,
      description: opts.descriptions?.list,
      metadata: consumerMeta(opts.tag, [readScope(opts.resource)]),
    },
    get: {
      method: 'GET' as const,
      path: itemPath,
      pathParams: RecordParams,
      responses: { 200: opts.record },
      summary: `Get ${opts.noun} by id`,
      description: opts.descriptions?.get,
      metadata: consumerMeta(opts.tag, [readScope(opts.resource)]),
    },
  };
}
