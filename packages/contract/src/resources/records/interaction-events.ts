import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, IdempotencyHeaders, Problem, Timestamp } from '../../common.js';
import { writeScope } from '../../scopes.js';
import { CreatedWindowQuery, recordBase, recordRoutes } from './shared.js';

/** Properties are capped so one event stays small; the database enforces the same cap. */
export const MAX_PROPERTIES_BYTES = 16_384;
export const MAX_BATCH_EVENTS = 1000;

/** UTF-8 length check that only encodes when the string could be over (hot in batch ingest). */
function withinBytes(s: string, max: number): boolean {
  return s.length * 3 <= max || (s.length <= max && new TextEncoder().encode(s).length <= max);
}

const EventTypeName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'Must be a registered interaction type such as clicked')
  .describe('An interaction type from the registry (viewed, clicked, submitted, dismissed, errored, …)');

/** A free-form JSON object (`additionalProperties: true` in the spec, not a nullable untyped schema). */
const JsonObject = () => extendApi(z.record(z.unknown()), { additionalProperties: true });

const Properties = extendApi(JsonObject(), { description: `A JSON object, at most ${MAX_PROPERTIES_BYTES} bytes serialised` });

/**
 * The byte cap on `properties`, checked once per request body rather than as a
 * refinement of each event: a zod 3 refinement costs about 3 µs per value, which was
 * half the validation time of a 1,000-event batch.
 */
function checkPropertiesSize(
  events: readonly { properties: Record<string, unknown> }[],
  ctx: z.RefinementCtx,
  pathOf: (index: number) => (string | number)[],
) {
  events.forEach((e, i) => {
    if (!withinBytes(JSON.stringify(e.properties), MAX_PROPERTIES_BYTES)) {
      ctx.addIssue({ code: 'custom', path: pathOf(i), message: `properties must serialise to at most ${MAX_PROPERTIES_BYTES} bytes` });
    }
  });
}

export const InteractionEvent = extendApi(
  z.object({
    ...recordBase,
    event_type: z.string(),
    subject_id: z.string(),
    actor_id: z.string(),
    occurred_at: Timestamp,
    properties: JsonObject(),
  }),
  {
    title: 'InteractionEvent',
    example: {
      id: '0b8a3c52-5b7e-4f7e-9a57-2d3f4e5a6b7c',
      consumer_id: '6c0f8a8e-2d7b-4c4e-8b9a-1f2e3d4c5b6a',
      event_type: 'clicked',
      subject_id: 'widget-42',
      actor_id: 'user-7',
      occurred_at: '2026-11-25T09:59:58.000Z',
      properties: { button: 'save' },
      created_at: '2026-11-25T10:00:00.000Z',
    },
  },
);
export type InteractionEvent = z.infer<typeof InteractionEvent>;

const CreateInteractionEventFields = extendApi(
  z
    .object({
      event_type: EventTypeName,
      subject_id: z.string().min(1).max(256),
      actor_id: z.string().min(1).max(256),
      occurred_at: Timestamp,
      properties: Properties.default({}),
    })
    .strict(),
  {
    title: 'CreateInteractionEventRequest',
    example: { event_type: 'clicked', subject_id: 'widget-42', actor_id: 'user-7', occurred_at: '2026-11-25T09:59:58Z', properties: { button: 'save' } },
  },
);

export const CreateInteractionEvent = CreateInteractionEventFields.superRefine((e, ctx) =>
  checkPropertiesSize([e], ctx, () => ['properties']),
);

const CreateInteractionEventBatch = extendApi(
  z
    .object({ events: z.array(CreateInteractionEventFields).min(1).max(MAX_BATCH_EVENTS) })
    .strict()
    .superRefine((b, ctx) => checkPropertiesSize(b.events, ctx, (i) => ['events', i, 'properties'])),
  { title: 'CreateInteractionEventBatchRequest', description: `1 to ${MAX_BATCH_EVENTS} events, stored all or none` },
);

const tag = 'Interaction events';

export const interactionEventsContract = c.router({
  ...recordRoutes({
    resource: 'interaction-events',
    tag,
    noun: 'an interaction event',
    record: InteractionEvent,
    create: CreateInteractionEvent,
    listQuery: CreatedWindowQuery.extend({
      event_type: EventTypeName.optional(),
      subject_id: z.string().min(1).max(256).optional(),
      actor_id: z.string().min(1).max(256).optional(),
    }),
    listTitle: 'InteractionEventList',
  }),
  createBatch: {
    method: 'POST',
    path: '/interaction-events/batch',
    body: CreateInteractionEventBatch,
    headers: IdempotencyHeaders,
    responses: {
      201: extendApi(z.object({ data: z.array(InteractionEvent) }), { title: 'InteractionEventBatch' }),
      409: Problem,
    },
    summary: 'Create up to 1,000 interaction events at once',
    description:
      'All or nothing: if any event is invalid (for example an unregistered `event_type`), none is stored and ' +
      'the 422 lists each failing index. The created events come back in request order.',
    metadata: consumerMeta(tag, [writeScope('interaction-events')], { idempotent: true }),
  },
});
