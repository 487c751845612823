import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { Annotation } from '../resources/records/annotations.js';
import { DecisionRecord } from '../resources/records/decision-records.js';
import { DeploymentRecord } from '../resources/records/deployment-records.js';
import { InteractionEvent } from '../resources/records/interaction-events.js';
import { OutcomeSignal } from '../resources/records/outcome-signals.js';
import { RequirementCandidate } from '../resources/records/requirement-candidates.js';
import type { EventTopic } from './topics.js';

/** The record each topic carries as `data`. */
export const WEBHOOK_DATA_SCHEMAS = {
  'interaction_event.created': InteractionEvent,
  'annotation.created': Annotation,
  'requirement_candidate.created': RequirementCandidate,
  'decision_record.created': DecisionRecord,
  'deployment_record.created': DeploymentRecord,
  'outcome_signal.created': OutcomeSignal,
} as const satisfies Record<EventTopic, z.ZodTypeAny>;

export const WEBHOOK_TOPIC_DESCRIPTIONS: Record<EventTopic, string> = {
  'interaction_event.created': 'An interaction event was recorded (also once per event of a batch)',
  'annotation.created': 'An annotation was created and passed screening',
  'requirement_candidate.created': 'A requirement candidate was submitted and passed screening',
  'decision_record.created': 'A decision was recorded on a requirement candidate',
  'deployment_record.created': 'A deployment of a decision was recorded',
  'outcome_signal.created': 'An outcome was measured for a deployment',
};

/** Titles of the payload schemas in the OpenAPI document's components. */
export const WEBHOOK_PAYLOAD_TITLES: Record<EventTopic, string> = {
  'interaction_event.created': 'InteractionEventCreatedWebhook',
  'annotation.created': 'AnnotationCreatedWebhook',
  'requirement_candidate.created': 'RequirementCandidateCreatedWebhook',
  'decision_record.created': 'DecisionRecordCreatedWebhook',
  'deployment_record.created': 'DeploymentRecordCreatedWebhook',
  'outcome_signal.created': 'OutcomeSignalCreatedWebhook',
};

function payload<T extends EventTopic>(topic: T) {
  return extendApi(
    z.object({
      type: z.literal(topic),
      timestamp: z.string().datetime({ offset: true }).describe('When the event occurred (RFC 3339, UTC)'),
      data: WEBHOOK_DATA_SCHEMAS[topic],
    }),
    { title: WEBHOOK_PAYLOAD_TITLES[topic], description: WEBHOOK_TOPIC_DESCRIPTIONS[topic] },
  );
}

/** The body of every webhook: `{ type, timestamp, data }`, a union on `type`. */
export const WEBHOOK_PAYLOAD_SCHEMAS = {
  'interaction_event.created': payload('interaction_event.created'),
  'annotation.created': payload('annotation.created'),
  'requirement_candidate.created': payload('requirement_candidate.created'),
  'decision_record.created': payload('decision_record.created'),
  'deployment_record.created': payload('deployment_record.created'),
  'outcome_signal.created': payload('outcome_signal.created'),
} as const;

export const WebhookEventSchema = z.discriminatedUnion('type', [
  WEBHOOK_PAYLOAD_SCHEMAS['interaction_event.created'],
  WEBHOOK_PAYLOAD_SCHEMAS['annotation.created'],
  WEBHOOK_PAYLOAD_SCHEMAS['requirement_candidate.created'],
  WEBHOOK_PAYLOAD_SCHEMAS['decision_record.created'],
  WEBHOOK_PAYLOAD_SCHEMAS['deployment_record.created'],
  WEBHOOK_PAYLOAD_SCHEMAS['outcome_signal.created'],
]);
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
export type WebhookEventOf<T extends EventTopic> = Extract<WebhookEvent, { type: T }>;
