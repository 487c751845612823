-- Up Migration
-- A requirement candidate an admin rejects straight out of quarantine stays visible only to
-- its author and admins, as it was while quarantined; one rejected from pending_review
-- (never quarantined, or released first and so already public) stays visible to everyone.
-- Status alone cannot tell the two apart once both read 'rejected', and injection_score
-- cannot either: the threshold is configuration (and may change), a pluggable
-- SubmissionPolicy may quarantine on other grounds, and a released candidate keeps its
-- high score though it was published. So the review queue records the fact when it makes
-- the transition. Rows rejected before this migration keep false: nothing stored tells a
-- quarantined-then-rejected row from a released-then-rejected one.
ALTER TABLE requirement_candidates ADD COLUMN rejected_from_quarantine BOOLEAN NOT NULL DEFAULT false
  CHECK (NOT rejected_from_quarantine OR status = 'rejected');

-- Down Migration
ALTER TABLE requirement_candidates DROP COLUMN rejected_from_quarantine;
