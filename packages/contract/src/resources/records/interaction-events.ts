import { extendApi } from '@anatine/zod-openapi';
import { z } from 'zod';
import { c, consumerMeta, IdempotencyHeaders, Problem, Text, Timestamp } from '../../common.js';
import { writeScope } from '../../scopes.js';
import { CreatedWindowQuery, recordBase, recordRoutes } from './shared.js';

/** Properties are capped so one event stays small; the database enforces the same cap. */
export const MAX_PROPERTIES_BYTES = 16_384;
export const MAX_BATCH_EVENTS = 1000;

/**
 * JSON escapes jsonb cannot store: U+0000 and unpaired surrogates (JSON.stringify writes
 * every other character as itself). Only after an even run of backslashes is `\u` an
 * escape rather than text.
 */
const UNSTORABLE_ESCAPE = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f])/;

/** Path, below `properties`, of the first key or string jsonb cannot store. */
function unstorableAt(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return UNSTORABLE_ESCAPE.test(JSON.stringify(value)) ? path : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
    if (typeof k === 'string' && UNSTORABLE_ESCAPE.test(JSON.stringify(k))) return [...path, k];
    const found = unstorableAt(v, [...path, k]);
    if (found) return found;
  }
  return undefined;
}

/** Strings, `:`, `,` and numbers of compact JSON; strings first, so nothing inside one matches. */
const JSON_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|[,:]|-?\d[\d.e+-]*/g;

/** Length of a JSON number written out in full, as PostgreSQL's numeric does (1e300 is 301 digits). */
function plainNumberLength(n: string): number {
  const e = n.indexOf('e');
  if (e < 0) return n.length;
  const sign = n.startsWith('-') ? 1 : 0;
  const mantissa = n.slice(sign, e);
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa.length : mantissa.length - 1;
  const integerDigits = (dot < 0 ? mantissa.length : dot) + Number(n.slice(e + 1));
  const decimals = Math.max(0, digits - integerDigits);
  return sign + Math.max(integerDigits, 1) + (decimals > 0 ? 1 + decimals : 0);
}

const utf8 = new TextEncoder();

/**
 * Whether `json` fits the CHECK on `properties::text` (a space after each `:` and `,`,
 * numbers in full); the common cases are decided from the length alone, without a scan.
 */
function fitsColumn(json: string, max: number): boolean {
  if (json.length > max) return false;
  if (json.length * 4 <= max && !json.includes('e+') && !json.includes('e-')) return true;
  let extra = 0;
  for (const [token] of json.matchAll(JSON_TOKEN)) {
    if (token === ',' || token === ':') extra += 1;
    else if (token[0] !== '"') extra += plainNumberLength(token) - token.length;
  }
  return json.length * 3 + extra <= max || utf8.encode(json).length + extra <= max;
}

const EventTypeName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'Must be a registered interaction type such as clicked')
  .describe('An interaction type from the registry (viewed, clicked, submitted, dismissed, errored, …)');

/** A free-form JSON object (`additionalProperties: true` in the spec, not a nullable untyped schema). */
const JsonObject = () => extendApi(z.record(z.unknown()), { additionalProperties: true });

const Properties = extendApi(JsonObject(), {
  description:
    `A JSON object of at most ${MAX_PROPERTIES_BYTES} bytes as stored: UTF-8 JSON with a space after each ':' and ',' ` +
    'and numbers written out in full. No string or key may hold U+0000 or an unpaired surrogate.',
});

/**
 * The checks on `properties` the database would otherwise make, run once per request body
 * rather than as a per-event refinement, which costs batch ingest dearly.
 */
function checkProperties(
  events: readonly { properties: Record<string, unknown> }[],
  ctx: z.RefinementCtx,
  pathOf: (index: number) => (string | number)[],
) {
  events.forEach((e, i) => {
    const json = JSON.stringify(e.properties);
    if (json.includes('\\u') && UNSTORABLE_ESCAPE.test(json)) {
      const at = unstorableAt(e.properties) ?? [];
      ctx.addIssue({ code: 'custom', path: [...pathOf(i), ...at], message: 'Must not contain U+0000 or an unpaired surrogate' });
    } else if (!fitsColumn(json, MAX_PROPERTIES_BYTES)) {
      ctx.addIssue({
        code: 'custom',
        path: pathOf(i),
        message: `properties must be at most ${MAX_PROPERTIES_BYTES} bytes as stored (a space after each ':' and ',', numbers written out in full)`,
      });
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
      subject_id: Text.min(1).max(256),
      actor_id: Text.min(1).max(256),
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
  checkProperties([e], ctx, () => ['properties']),
);

const CreateInteractionEventBatch = extendApi(
  z
    .object({ events: z.array(CreateInteractionEventFields).min(1).max(MAX_BATCH_EVENTS) })
    .strict()
    .superRefine((b, ctx) => checkProperties(b.events, ctx, (i) => ['events', i, 'properties'])),
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
      subject_id: Text.min(1).max(256).optional(),
      actor_id: Text.min(1).max(256).optional(),
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
