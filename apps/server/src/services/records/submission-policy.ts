import type { TransactionSql } from '../../db/client.js';

export interface SubmissionAssessment {
  /** The status the record is stored with (annotations: active | quarantined; candidates: pending_review | approved | quarantined). */
  status: string;
  injection_score: number | null;
  /** false holds the webhook back (e.g. quarantine); the releaser enqueues it later. */
  publish: boolean;
}

export interface SubmissionInput {
  consumerId: string;
  kind: 'annotation' | 'requirement_candidate';
  category?: string;
  /** Free text the consumer submitted (body; title and description). */
  texts: string[];
}

/**
 * The seam for trust features (injection screening, auto-approve, quarantine): called
 * inside the record's transaction before the insert.
 */
export interface SubmissionPolicy {
  assess(input: SubmissionInput, tx: TransactionSql): Promise<SubmissionAssessment>;
}

/** No screening: annotations are active, candidates wait for review, everything publishes. */
export const defaultSubmissionPolicy: SubmissionPolicy = {
  async assess(input) {
    return {
      status: input.kind === 'annotation' ? 'active' : 'pending_review',
      injection_score: null,
      publish: true,
    };
  },
};
