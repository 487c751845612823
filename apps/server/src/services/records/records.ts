import { randomUUID } from 'node:crypto';
import type { InteractionEvent } from '@ihf/contract';
import type { PostgresError } from 'postgres';
import { isPgError, PG_FOREIGN_KEY_VIOLATION, type Sql, type TransactionSql } from '../../db/client.js';
import { toPage } from '../../db/pagination.js';
import type { RecordListOptions, RecordRow, RecordsRepository, RecordTable } from '../../db/repositories/records.js';
import { ApiError, notFound, type FieldError } from '../../errors.js';
import { iso } from '../../lib/time.js';
import {
  RECORD_KINDS,
  type AnnotationRow,
  type DecisionRecordRow,
  type DeploymentRecordRow,
  type InteractionEventRow,
  type OutcomeSignalRow,
  type RecordKindName,
  type RequirementCandidateRow,
} from './mappers.js';
import { publishRecords, publishWireRecords } from './publish.js';
import type { SubmissionPolicy } from './submission-policy.js';

const PG_CHECK_VIOLATION = '23514';

const invalidReference = (errors: FieldError[]) =>
  new ApiError(
    'invalid_reference',
    errors.length === 1 ? errors[0]!.message : `${errors.length} referenced records do not exist.`,
    { errors },
  );

/** The column a constraint of `table` guards, by PostgreSQL's names for them (`<table>_<column>_fkey`, `_check`, `_check1`). */
function columnOf(table: RecordTable, constraint: string | undefined, kind: 'fkey' | 'check'): string | undefined {
  const match = new RegExp(`^${table}_(\\w+?)_${kind}\\d*$`).exec(constraint ?? '');
  return match?.[1];
}

/**
 * A violated foreign key or CHECK of `table` becomes a 422 naming the field; `pointerTo`
 * places the column in the request body (a batch knows which event from the error).
 */
function mapWriteError(
  table: RecordTable,
  err: unknown,
  pointerTo: (column: string, err: PostgresError) => string = (column) => `/${column}`,
): never {
  if (isPgError(err, PG_FOREIGN_KEY_VIOLATION)) {
    const column = columnOf(table, err.constraint_name, 'fkey') ?? 'unknown';
    throw invalidReference([
      { location: 'body', pointer: pointerTo(column, err), message: `No record with the ${column} given.`, code: 'not_found' },
    ]);
  }
  if (isPgError(err, PG_CHECK_VIOLATION)) {
    const column = columnOf(table, err.constraint_name, 'check');
    throw new ApiError(
      'validation_failed',
      `The record breaks a constraint (${err.constraint_name ?? 'check'}).`,
      column
        ? { errors: [{ location: 'body', pointer: pointerTo(column, err), message: `${column} breaks ${err.constraint_name}`, code: 'check_violation' }] }
        : {},
    );
  }
  throw err;
}

/**
 * `/events/{i}/<column>` for the event a batch error names: the failing row, which
 * carries its id (CHECK), or the missing key's value (foreign key); `/events` if neither.
 */
function batchPointer(events: readonly InteractionEvent[]) {
  return (column: string, err: PostgresError) => {
    const detail = err.detail ?? '';
    const i = events.findIndex(
      (e) => detail.includes(e.id) || detail.includes(`(${column})=(${String((e as Record<string, unknown>)[column])})`),
    );
    return i < 0 ? '/events' : `/events/${i}/${column}`;
  };
}

/**
 * Who reads or references records: until released, a quarantined record exists only for
 * its submitter and admins, and a consumer may reference exactly what it may read.
 */
export interface Reader {
  consumerId: string;
  /** The credential carries scope `admin`, which reads the review queue anyway. */
  isAdmin: boolean;
}

/** The consumer a repository query narrows `kind` to for `reader`; undefined: no narrowing. */
function visibleTo(kind: RecordKindName, reader: Reader): string | undefined {
  return 'screened' in RECORD_KINDS[kind] && !reader.isAdmin ? reader.consumerId : undefined;
}

interface ListQuery {
  limit: number;
  cursor?: string;
  created_after?: string;
  created_before?: string;
}

export interface InteractionEventInput {
  event_type: string;
  subject_id: string;
  actor_id: string;
  occurred_at: string;
  properties: Record<string, unknown>;
}

export function createRecordsService(deps: { sql: Sql; repo: RecordsRepository; policy: SubmissionPolicy }) {
  const { sql, repo, policy } = deps;

  /** Insert + webhook fan-out in one transaction; the policy may hold the webhook back. */
  async function createOne<R extends RecordRow>(
    kind: RecordKindName,
    build: (tx: TransactionSql) => Promise<{ values: Record<string, unknown>; publish: boolean }>,
  ) {
    const k = RECORD_KINDS[kind];
    try {
      const row = await sql.begin(async (tx) => {
        const { values, publish } = await build(tx);
        const inserted = await repo.insert<R>(tx, k.table, values);
        if (publish) await publishRecords(tx, kind, [inserted]);
        return inserted;
      });
      return (k.toWire as unknown as (r: R) => unknown)(row as R);
    } catch (err) {
      return mapWriteError(k.table, err);
    }
  }

  async function getOne(kind: RecordKindName, id: string, reader: Reader) {
    const k = RECORD_KINDS[kind];
    const row = await repo.findById(k.table, id, visibleTo(kind, reader));
    if (!row) throw notFound(k.noun, id);
    return (k.toWire as unknown as (r: RecordRow) => unknown)(row);
  }

  async function list(kind: RecordKindName, reader: Reader, q: ListQuery, filters: Pick<RecordListOptions, 'equals' | 'contains'>) {
    const k = RECORD_KINDS[kind];
    const rows = await repo.list(k.table, {
      visibleTo: visibleTo(kind, reader),
      limit: q.limit,
      cursor: q.cursor,
      createdAfter: q.created_after,
      createdBefore: q.created_before,
      ...filters,
    });
    return toPage(rows, q.limit, k.toWire as unknown as (r: RecordRow) => never);
  }

  /** One 422 for every id `reader` may not read: a missing record and a hidden one answer alike. */
  async function requireReadable(
    tx: TransactionSql,
    kind: RecordKindName,
    reader: Reader,
    ids: readonly string[],
    pointer: (i: number) => string,
  ) {
    const k = RECORD_KINDS[kind];
    const found = await repo.existing(tx, k.table, ids, visibleTo(kind, reader));
    const missing = ids.flatMap((id, i) =>
      found.has(id) ? [] : [{ location: 'body' as const, pointer: pointer(i), message: `No ${k.noun} with id ${id}.`, code: 'not_found' }],
    );
    if (missing.length > 0) throw invalidReference(missing);
  }

  async function unregisteredTypes(tx: TransactionSql, types: readonly string[]): Promise<Set<string>> {
    const known = await repo.registeredEventTypes(tx, [...new Set(types)]);
    return new Set(types.filter((t) => !known.has(t)));
  }

  const unregisteredError = (errors: FieldError[]) =>
    new ApiError(
      'validation_failed',
      `${errors.length} event${errors.length === 1 ? ' has' : 's have'} an event_type that is not registered.`,
      { errors },
    );

  return {
    getOne,
    list,

    createInteractionEvent: (consumerId: string, body: InteractionEventInput) =>
      createOne<InteractionEventRow>('interactionEvent', async (tx) => {
        if ((await unregisteredTypes(tx, [body.event_type])).size > 0) {
          throw unregisteredError([
            { location: 'body', pointer: '/event_type', message: `event_type '${body.event_type}' is not registered`, code: 'unregistered' },
          ]);
        }
        return { values: { ...body, api_consumer_id: consumerId }, publish: true };
      }),

    /** All or nothing, one INSERT … SELECT FROM jsonb_to_recordset for the whole batch. */
    async createInteractionEventBatch(consumerId: string, events: readonly InteractionEventInput[]) {
      // Hot loop: one object per event serves as both wire record and insert row; the ids
      // made here are how a database error names the failing event.
      const data: InteractionEvent[] = events.map((e) => ({
        id: randomUUID(),
        consumer_id: consumerId,
        created_at: '',
        event_type: e.event_type,
        subject_id: e.subject_id,
        actor_id: e.actor_id,
        occurred_at: iso(new Date(e.occurred_at)),
        properties: e.properties,
      }));
      try {
        await sql.begin(async (tx) => {
          const missing = await unregisteredTypes(tx, events.map((e) => e.event_type));
          if (missing.size > 0) {
            throw unregisteredError(
              events.flatMap((e, i) =>
                missing.has(e.event_type)
                  ? [{ location: 'body' as const, pointer: `/events/${i}/event_type`, message: `event_type '${e.event_type}' is not registered`, code: 'unregistered' }]
                  : [],
              ),
            );
          }
          const createdAt = iso(await repo.insertInteractionEvents(tx, consumerId, data));
          for (const e of data) e.created_at = createdAt;
          await publishWireRecords(tx, 'interactionEvent', () => data);
        });
      } catch (err) {
        return mapWriteError('interaction_events', err, batchPointer(data));
      }
      return { data };
    },

    createAnnotation: (consumerId: string, body: { interaction_event_id?: string | null; body: string; labels: string[] }) =>
      createOne<AnnotationRow>('annotation', async (tx) => {
        const verdict = await policy.assess({ consumerId, kind: 'annotation', texts: [body.body, ...body.labels] }, tx);
        return {
          values: {
            api_consumer_id: consumerId,
            interaction_event_id: body.interaction_event_id ?? null,
            body: body.body,
            labels: body.labels,
            status: verdict.status,
            injection_score: verdict.injection_score,
          },
          publish: verdict.publish,
        };
      }),

    createRequirementCandidate: (
      reader: Reader,
      body: { title: string; description: string; category: string; source_annotation_ids: string[] },
    ) =>
      createOne<RequirementCandidateRow>('requirementCandidate', async (tx) => {
        await requireReadable(tx, 'annotation', reader, body.source_annotation_ids, (i) => `/source_annotation_ids/${i}`);
        const verdict = await policy.assess(
          { consumerId: reader.consumerId, kind: 'requirement_candidate', category: body.category, texts: [body.title, body.description] },
          tx,
        );
        return {
          values: {
            api_consumer_id: reader.consumerId,
            title: body.title,
            description: body.description,
            category: body.category,
            source_annotation_ids: body.source_annotation_ids,
            status: verdict.status,
            injection_score: verdict.injection_score,
          },
          publish: verdict.publish,
        };
      }),

    createDecisionRecord: (reader: Reader, body: { requirement_candidate_id: string } & Record<string, unknown>) =>
      createOne<DecisionRecordRow>('decisionRecord', async (tx) => {
        await requireReadable(tx, 'requirementCandidate', reader, [body.requirement_candidate_id], () => '/requirement_candidate_id');
        return { values: { ...body, api_consumer_id: reader.consumerId }, publish: true };
      }),

    createDeploymentRecord: (consumerId: string, body: Record<string, unknown>) =>
      createOne<DeploymentRecordRow>('deploymentRecord', async () => ({ values: { ...body, api_consumer_id: consumerId }, publish: true })),

    createOutcomeSignal: (consumerId: string, body: { unit?: string | null; baseline?: number | null } & Record<string, unknown>) =>
      createOne<OutcomeSignalRow>('outcomeSignal', async () => ({
        values: { ...body, unit: body.unit ?? null, baseline: body.baseline ?? null, api_consumer_id: consumerId },
        publish: true,
      })),
  };
}
export type RecordsService = ReturnType<typeof createRecordsService>;
