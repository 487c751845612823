import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, IdempotencyHeaders, listOf, PaginationQuery, Problem, Timestamp, Uuid } from '../../common.js';

const Category = z.string().trim().min(1).max(200);

export const AutoApproveRule = extendApi(
  z.object({
    id: Uuid,
    consumer_id: Uuid,
    category: z.string().describe('Requirement candidates of this consumer in this category are approved on creation'),
    is_active: z.boolean(),
    created_at: Timestamp,
    updated_at: Timestamp,
  }),
  {
    title: 'AutoApproveRule',
    example: {
      id: '9b2f9c1e-1d3a-4b8e-8f61-0c9a7b5d4e21',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      category: 'accessibility',
      is_active: true,
      created_at: '2026-11-25T10:00:00.000Z',
      updated_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type AutoApproveRule = z.infer<typeof AutoApproveRule>;

const RuleParams = z.object({ ruleId: Uuid });
const tag = 'Admin: trust';

export const autoApproveRulesContract = c.router({
  create: {
    method: 'POST',
    path: '/admin/auto-approve-rules',
    body: extendApi(
      z.object({ consumer_id: Uuid, category: Category, is_active: z.boolean().default(true) }).strict(),
      { title: 'CreateAutoApproveRuleRequest', example: { consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a', category: 'accessibility' } },
    ),
    headers: IdempotencyHeaders,
    responses: { 201: AutoApproveRule, 409: Problem },
    summary: 'Create an auto-approve rule',
    description:
      'A requirement candidate from this consumer in this category is approved on creation, unless injection screening quarantines it. One rule per consumer and category (409 otherwise; also 409 while a request with the same `Idempotency-Key` is still running).',
    metadata: adminMeta(tag, { idempotent: true }),
  },
  list: {
    method: 'GET',
    path: '/admin/auto-approve-rules',
    query: PaginationQuery.extend({ consumer_id: Uuid.optional(), category: z.string().optional() }),
    responses: { 200: listOf(AutoApproveRule, 'AutoApproveRuleList') },
    summary: 'List auto-approve rules',
    metadata: adminMeta(tag),
  },
  get: {
    method: 'GET',
    path: '/admin/auto-approve-rules/:ruleId',
    pathParams: RuleParams,
    responses: { 200: AutoApproveRule },
    summary: 'Get an auto-approve rule',
    metadata: adminMeta(tag),
  },
  update: {
    method: 'PATCH',
    path: '/admin/auto-approve-rules/:ruleId',
    pathParams: RuleParams,
    body: extendApi(z.object({ category: Category.optional(), is_active: z.boolean().optional() }).strict(), {
      title: 'UpdateAutoApproveRuleRequest',
    }),
    responses: { 200: AutoApproveRule, 409: Problem },
    summary: 'Update an auto-approve rule (e.g. pause it)',
    metadata: adminMeta(tag),
  },
  delete: {
    method: 'DELETE',
    path: '/admin/auto-approve-rules/:ruleId',
    pathParams: RuleParams,
    body: c.noBody(),
    responses: { 204: c.noBody() },
    summary: 'Delete an auto-approve rule',
    metadata: adminMeta(tag),
  },
});
