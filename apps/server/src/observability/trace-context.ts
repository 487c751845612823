import { isSpanContextValid, propagation, ROOT_CONTEXT, trace, type Link } from '@opentelemetry/api';

/**
 * The W3C traceparent of the span in progress (the request's), to store with what it
 * creates; null when nothing is being recorded, as always with tracing off (the API's
 * no-op context has no span).
 */
export function activeTraceparent(): string | null {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier.traceparent ?? null;
}

/** A span link to the span a stored traceparent names; none when there is none or it is malformed. */
export function linksTo(traceparent: string | null): Link[] {
  if (!traceparent) return [];
  const context = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
  return context && isSpanContextValid(context) ? [{ context }] : [];
}
