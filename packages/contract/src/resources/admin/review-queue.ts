import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { adminMeta, c, listOf, PaginationQuery, Problem, Uuid } from '../../common.js';
import { Annotation } from '../records/annotations.js';
import { RequirementCandidate } from '../records/requirement-candidates.js';

const Decision = extendApi(
  z.object({ note: z.string().trim().max(2000).nullish().describe('Why; stored as the review note') }).strict(),
  { title: 'ReviewDecisionRequest', example: { note: 'Checked with the accessibility team' } },
);

const CandidateParams = z.object({ candidateId: Uuid });
const AnnotationParams = z.object({ annotationId: Uuid });
const tag = 'Admin: trust';

const decision = (action: 'approve' | 'reject' | 'release', summary: string, description: string) => ({
  method: 'POST' as const,
  path: `/admin/review-queue/requirement-candidates/:candidateId/${action}`,
  pathParams: CandidateParams,
  body: Decision,
  responses: { 200: RequirementCandidate, 409: Problem },
  summary,
  description,
  metadata: adminMeta(tag),
});

export const reviewQueueContract = c.router({
  listCandidates: {
    method: 'GET',
    path: '/admin/review-queue/requirement-candidates',
    query: PaginationQuery.extend({
      status: z.enum(['pending_review', 'quarantined']).optional().describe('Default: both'),
      consumer_id: Uuid.optional(),
      category: z.string().optional(),
    }),
    responses: { 200: listOf(RequirementCandidate, 'ReviewQueueCandidateList') },
    summary: 'Requirement candidates awaiting review or held in quarantine',
    metadata: adminMeta(tag),
  },
  approve: decision(
    'approve',
    'Approve a requirement candidate',
    'From pending_review or quarantined. Approving a quarantined candidate releases it: its requirement_candidate.created webhook fires then.',
  ),
  reject: decision('reject', 'Reject a requirement candidate', 'From pending_review or quarantined. A rejected quarantined candidate never fires its webhook.'),
  release: decision(
    'release',
    'Release a quarantined requirement candidate to the review queue',
    'quarantined → pending_review, and the held-back requirement_candidate.created webhook fires, in one transaction.',
  ),
  listAnnotations: {
    method: 'GET',
    path: '/admin/review-queue/annotations',
    query: PaginationQuery.extend({ consumer_id: Uuid.optional() }),
    responses: { 200: listOf(Annotation, 'QuarantinedAnnotationList') },
    summary: 'Annotations held in quarantine by injection screening',
    metadata: adminMeta(tag),
  },
  releaseAnnotation: {
    method: 'POST',
    path: '/admin/review-queue/annotations/:annotationId/release',
    pathParams: AnnotationParams,
    body: Decision,
    responses: { 200: Annotation, 409: Problem },
    summary: 'Release a quarantined annotation',
    description: 'quarantined → active, and the held-back annotation.created webhook fires, in one transaction.',
    metadata: adminMeta(tag),
  },
});
