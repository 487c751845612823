import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
} from '@opentelemetry/semantic-conventions';
import postgres from 'postgres';

/** The parts of postgres.js's Query (a Promise subclass) this instrumentation touches. */
interface PgQuery {
  executed: boolean;
  tagged: boolean;
  /** The statement as sent, with $n placeholders; set once a connection has built it. */
  string?: string;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
  handle(): Promise<void>;
}

/** Longest statement text kept on a span. */
const MAX_QUERY_TEXT = 2048;

const OPERATION = /^[\s(]*([a-z]+)/i;
const TARGET = /\b(?:from|into|update|join|table)\s+(?:only\s+)?("?[a-z_][\w.$"]*)/i;

/** `SELECT webhook_recipients`: the statement's first keyword and the first table it names (db.query.summary). */
export function summarize(statement: string): { operation: string; collection?: string; summary: string } {
  const operation = (OPERATION.exec(statement)?.[1] ?? 'QUERY').toUpperCase();
  const collection = TARGET.exec(statement)?.[1]?.replaceAll('"', '');
  return { operation, collection, summary: collection ? `${operation} ${collection}` : operation };
}

function finish(span: Span, query: PgQuery, err: unknown): void {
  const statement = query.string ?? '';
  const { operation, collection, summary } = summarize(statement);
  span.updateName(summary);
  span.setAttribute(ATTR_DB_OPERATION_NAME, operation);
  span.setAttribute(ATTR_DB_QUERY_SUMMARY, summary);
  if (collection) span.setAttribute(ATTR_DB_COLLECTION_NAME, collection);
  // Tagged statements carry their values as parameters, never in the text; sql.unsafe text may hold literals.
  if (query.tagged) span.setAttribute(ATTR_DB_QUERY_TEXT, statement.slice(0, MAX_QUERY_TEXT));
  if (err !== undefined) {
    // The SQLSTATE only: a PostgreSQL message can quote the value it refused.
    const code = err instanceof postgres.PostgresError ? err.code : err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'error';
    span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
    span.setAttribute(ATTR_ERROR_TYPE, code);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

let installed = false;

/**
 * Database spans for postgres.js, which has no OpenTelemetry instrumentation. Every query
 * of every pool goes out through Query#handle exactly once (its first then/await), in the
 * context of the code that awaited it, so a span starts there as a child of the span in
 * progress and ends with the query's resolve or reject. A query outside any traced work
 * (housekeeping, the request log writer) gets none. Installed once, only with tracing on:
 * with tracing off the prototype is untouched and queries pay nothing.
 */
export function instrumentPostgres(tracer: Tracer): void {
  if (installed) return;
  installed = true;
  // Query is not exported; an unexecuted query of a pool that never connects reaches its prototype.
  const probe = postgres({ max: 1 });
  const proto = Object.getPrototypeOf(probe`SELECT 1`) as PgQuery;
  const handle = proto.handle;
  proto.handle = function (this: PgQuery) {
    if (!this.executed) {
      const active = context.active();
      if (trace.getSpan(active)?.isRecording()) {
        const span = tracer.startSpan('postgresql', { kind: SpanKind.CLIENT, attributes: { [ATTR_DB_SYSTEM_NAME]: 'postgresql', 'db.system': 'postgresql' } }, active);
        const { resolve, reject } = this;
        this.resolve = (value) => {
          finish(span, this, undefined);
          resolve(value);
        };
        this.reject = (err) => {
          finish(span, this, err);
          reject(err);
        };
      }
    }
    return handle.call(this);
  };
}
