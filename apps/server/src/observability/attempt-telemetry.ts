import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '@opentelemetry/semantic-conventions';
import { classify } from '../webhooks/delivery/retry.js';
import type { SendResult } from '../webhooks/delivery/sender.js';
import type { ClaimedContext } from '../webhooks/sql/index.js';
import { linksTo } from './trace-context.js';
import type { AttemptOutcome, WebhookMetrics } from './webhook-metrics.js';

/** What the delivery engine reports of each attempt it makes: metrics always, a span when tracing is on. */
export interface AttemptTelemetry {
  /** Right before an attempt's request: its span, whose traceparent goes into `headers`. */
  start(ctx: ClaimedContext, target: URL, headers: Record<string, string>): Span | undefined;
  /** Its answer (or none): counted by outcome, timed, and its span ended. */
  finish(span: Span | undefined, result: SendResult): void;
  /** An attempt whose target failed the SSRF check: counted, and nothing sent. */
  refused(ctx: ClaimedContext): void;
}

const NO_RETRY_AFTER_CLOCK = new Date(0);

export function outcomeOf(result: SendResult): AttemptOutcome {
  if (result.status === null) return result.timedOut ? 'timeout' : 'error';
  return classify(result.status, undefined, NO_RETRY_AFTER_CLOCK).kind;
}

/**
 * Each attempt's span is a CLIENT span of a trace of its own (an attempt can come hours
 * after the request), linked to the span of the request that created the record, whose
 * traceparent was stored with the event.
 */
export function createAttemptTelemetry(metrics: WebhookMetrics, tracer?: Tracer): AttemptTelemetry {
  function startSpan(ctx: ClaimedContext, target: URL | null): Span {
    const span = tracer!.startSpan('webhook attempt', {
      kind: SpanKind.CLIENT,
      root: true,
      links: linksTo(ctx.traceparent),
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: 'POST',
        'ihf.webhook.message_id': ctx.message_id,
        'ihf.webhook.attempt': ctx.requested_attempt,
        'ihf.webhook.subscription_id': ctx.subscription_id,
        'ihf.webhook.event_type': ctx.event_type,
      },
    });
    if (target) {
      span.setAttribute(ATTR_SERVER_ADDRESS, target.hostname);
      span.setAttribute(ATTR_SERVER_PORT, Number(target.port || (target.protocol === 'https:' ? 443 : 80)));
    }
    return span;
  }

  function endSpan(span: Span, outcome: AttemptOutcome, status: number | null): void {
    span.setAttribute('ihf.webhook.outcome', outcome);
    if (status !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (outcome !== 'delivered') {
      span.setAttribute(ATTR_ERROR_TYPE, status !== null ? String(status) : outcome);
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  return {
    start(ctx, target, headers) {
      if (!tracer) return undefined;
      const span = startSpan(ctx, target);
      propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
      return span;
    },
    finish(span, result) {
      const outcome = outcomeOf(result);
      metrics.attempt(outcome, result.latencyMs / 1000);
      if (span) endSpan(span, outcome, result.status);
    },
    refused(ctx) {
      metrics.attempt('refused');
      if (tracer) endSpan(startSpan(ctx, null), 'refused', null);
    },
  };
}
