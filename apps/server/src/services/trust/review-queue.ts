import type { Sql } from '../../db/client.js';
import { toPage } from '../../db/pagination.js';
import type { RecordRow } from '../../db/repositories/records.js';
import type { ReviewQueueRepository } from '../../db/repositories/review-queue.js';
import { ApiError, notFound } from '../../errors.js';
import { toAnnotation, toRequirementCandidate, type AnnotationRow, type RequirementCandidateRow } from '../records/mappers.js';
import { publishRecords } from '../records/publish.js';

const asCandidate = (r: RecordRow) => toRequirementCandidate(r as unknown as RequirementCandidateRow);
const asAnnotation = (r: RecordRow) => toAnnotation(r as unknown as AnnotationRow);

type Decision = 'approve' | 'reject' | 'release';

/** Which transitions an admin may make, from which status, to which. */
const TRANSITIONS: Record<Decision, { from: readonly string[]; to: string }> = {
  // Approving a quarantined candidate releases it too: the admin has read it.
  approve: { from: ['pending_review', 'quarantined'], to: 'approved' },
  reject: { from: ['pending_review', 'quarantined'], to: 'rejected' },
  release: { from: ['quarantined'], to: 'pending_review' },
};

/**
 * The admin review queue: a state change and the webhook a release lets go commit together;
 * a record rejected out of quarantine never fires one and stays hidden (docs/oauth-and-trust.md).
 */
export function createReviewQueueService(deps: { sql: Sql; repo: ReviewQueueRepository; now: () => Date }) {
  async function decideCandidate(id: string, decision: Decision, note: string | null | undefined) {
    const row = await deps.sql.begin(async (tx) => {
      const current = await deps.repo.findCandidate(tx, id, true);
      if (!current) throw notFound('requirement candidate', id);
      const { from, to } = TRANSITIONS[decision];
      const status = current.status as string;
      if (!from.includes(status)) {
        throw new ApiError('conflict', `A ${status} requirement candidate cannot be ${decision === 'release' ? 'released' : `${decision}d`}.`, {
          members: { current_status: status },
        });
      }
      // Rejected out of quarantine: recorded, as status 'rejected' alone reads the same as a
      // rejection from pending_review (injection_score cannot tell either: see migration 0012).
      const rejectedFromQuarantine = status === 'quarantined' && to === 'rejected';
      const updated = await deps.repo.setCandidateStatus(tx, id, to, note ?? null, deps.now(), rejectedFromQuarantine);
      if (status === 'quarantined' && to !== 'rejected') await publishRecords(tx, 'requirementCandidate', [updated]);
      return updated;
    });
    return asCandidate(row);
  }

  return {
    async listCandidates(q: { limit: number; cursor?: string; status?: 'pending_review' | 'quarantined'; consumer_id?: string; category?: string }) {
      const statuses = q.status ? [q.status] : ['pending_review', 'quarantined'];
      const rows = await deps.repo.listCandidates({ ...q, statuses, consumerId: q.consumer_id });
      return toPage(rows, q.limit, asCandidate);
    },
    async listAnnotations(q: { limit: number; cursor?: string; consumer_id?: string }) {
      const rows = await deps.repo.listQuarantinedAnnotations({ ...q, consumerId: q.consumer_id });
      return toPage(rows, q.limit, asAnnotation);
    },
    approve: (id: string, note?: string | null) => decideCandidate(id, 'approve', note),
    reject: (id: string, note?: string | null) => decideCandidate(id, 'reject', note),
    release: (id: string, note?: string | null) => decideCandidate(id, 'release', note),

    async releaseAnnotation(id: string, note?: string | null) {
      const row = await deps.sql.begin(async (tx) => {
        const current = await deps.repo.findAnnotation(tx, id, true);
        if (!current) throw notFound('annotation', id);
        if (current.status !== 'quarantined') {
          throw new ApiError('conflict', 'Only a quarantined annotation can be released.', { members: { current_status: current.status } });
        }
        const updated = await deps.repo.releaseAnnotation(tx, id, note ?? null, deps.now());
        await publishRecords(tx, 'annotation', [updated]);
        return updated;
      });
      return asAnnotation(row);
    },
  };
}
export type ReviewQueueService = ReturnType<typeof createReviewQueueService>;
