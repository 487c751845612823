// Loaded (dynamically, by main.ts) only when OTEL_EXPORTER_OTLP_ENDPOINT is set: with
// tracing off the SDK is never imported, and the API's no-op tracer is all that runs.
import { diag, DiagLogLevel, trace, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { instrumentPostgres } from './db-spans.js';

export interface Tracing {
  tracer: Tracer;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry SDK: spans batched to `${OTEL_EXPORTER_OTLP_ENDPOINT}/v1/traces`
 * (OTLP/HTTP, JSON), the W3C trace context propagator, AsyncLocalStorage context, and the
 * postgres.js instrumentation. graphile-worker's `pg` queries are not instrumented.
 */
export function startTracing(config: Config, logger: Logger): Tracing | undefined {
  const endpoint = config.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return undefined;
  // The SDK reports failed exports through its diag logger, silent by default.
  diag.setLogger(
    {
      error: (message, ...args) => logger.warn({ args }, `opentelemetry: ${message}`),
      warn: (message, ...args) => logger.warn({ args }, `opentelemetry: ${message}`),
      info: () => {},
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.WARN,
  );
  const exporter = new OTLPTraceExporter({
    url: `${endpoint.replace(/\/+$/, '')}/v1/traces`,
    headers: config.OTEL_EXPORTER_OTLP_HEADERS,
  });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME, 'ihf.role': config.IHF_ROLE }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG) }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: config.OTEL_BSP_SCHEDULE_DELAY })],
  });
  provider.register();
  const tracer = trace.getTracer('ihf-external-api');
  instrumentPostgres(tracer);
  logger.info({ endpoint, serviceName: config.OTEL_SERVICE_NAME }, 'tracing on: exporting spans over OTLP/HTTP');
  return { tracer, shutdown: () => provider.shutdown() };
}
