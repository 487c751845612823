import type { TransactionSql } from '../../db/client.js';
import type { SubmissionAssessment, SubmissionInput, SubmissionPolicy } from '../records/submission-policy.js';
import { scoreTexts, type InjectionScreener } from './screener.js';

/**
 * The trust policy of seed 000, applied inside the record's transaction:
 * - text scoring at or above the threshold is quarantined, never approved, and fires
 *   no webhook until an admin releases it;
 * - otherwise a requirement candidate whose consumer has an active auto-approve rule for
 *   its category is approved on creation, and any other waits in the review queue.
 */
export function createTrustPolicy(deps: { screener: InjectionScreener; threshold: number }): SubmissionPolicy {
  return {
    async assess(input: SubmissionInput, tx: TransactionSql): Promise<SubmissionAssessment> {
      const score = await scoreTexts(deps.screener, input.texts);
      if (score >= deps.threshold) return { status: 'quarantined', injection_score: score, publish: false };
      if (input.kind === 'annotation') return { status: 'active', injection_score: score, publish: true };
      const [rule] = input.category
        ? await tx`
            SELECT 1 FROM auto_approve_rules
            WHERE api_consumer_id = ${input.consumerId} AND category = ${input.category} AND is_active`
        : [];
      return { status: rule ? 'approved' : 'pending_review', injection_score: score, publish: true };
    },
  };
}
