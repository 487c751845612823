import { z } from 'zod';

/** The webhook event topics, one per record type (the baseline schema's CHECK constraint). */
export const EVENT_TOPICS = [
  'interaction_event.created',
  'annotation.created',
  'requirement_candidate.created',
  'decision_record.created',
  'deployment_record.created',
  'outcome_signal.created',
] as const;
export const EventTopicSchema = z.enum(EVENT_TOPICS);
export type EventTopic = z.infer<typeof EventTopicSchema>;
