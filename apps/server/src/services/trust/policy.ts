import type { TransactionSql } from '../../db/client.js';
import type { SubmissionAssessment, SubmissionInput, SubmissionPolicy } from '../records/submission-policy.js';
import { scoreTexts, type InjectionScreener } from './screener.js';

/**
 * The trust policy, inside the record's transaction: quarantine at the threshold, else
 * auto-approve by rule, else review (docs/oauth-and-trust.md, "Review and screening").
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
