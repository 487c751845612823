import type { EventTopic } from '@ihf/contract';

const NIL = '00000000-0000-0000-0000-000000000000';

/** A record of the topic's type with nil ids and `test` values, for test events. */
export function sampleRecord(topic: EventTopic, consumerId: string, now: Date): Record<string, unknown> {
  const at = now.toISOString();
  const base = { id: NIL, consumer_id: consumerId, created_at: at };
  switch (topic) {
    case 'interaction_event.created':
      return { ...base, event_type: 'viewed', subject_id: 'test', actor_id: 'test', occurred_at: at, properties: { test: true } };
    case 'annotation.created':
      return { ...base, interaction_event_id: null, body: 'test', labels: ['test'], status: 'active', injection_score: null };
    case 'requirement_candidate.created':
      return {
        ...base,
        title: 'test',
        description: 'test',
        category: 'test',
        source_annotation_ids: [],
        status: 'pending_review',
        injection_score: null,
        reviewed_at: null,
        review_note: null,
        updated_at: at,
      };
    case 'decision_record.created':
      return { ...base, requirement_candidate_id: NIL, outcome: 'deferred', rationale: 'test', decided_by: 'test', decided_at: at };
    case 'deployment_record.created':
      return { ...base, decision_record_id: NIL, version: 'test', environment: 'test', deployed_at: at, status: 'succeeded' };
    case 'outcome_signal.created':
      return { ...base, deployment_record_id: NIL, metric: 'test', value: 0, unit: null, baseline: null, observed_at: at };
  }
}
