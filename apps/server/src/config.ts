import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const bool = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** OTEL_EXPORTER_OTLP_HEADERS: `k1=v1,k2=v2`, values percent-encoded (the OpenTelemetry convention). */
function parseKeyValues(s: string | undefined, ctx: z.RefinementCtx): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const part of (s ?? '').split(',')) {
    if (!part.trim()) continue;
    const at = part.indexOf('=');
    if (at < 1) {
      ctx.addIssue({ code: 'custom', message: 'must be key=value pairs separated by commas' });
      return z.NEVER;
    }
    try {
      pairs[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      ctx.addIssue({ code: 'custom', message: 'a value is not valid percent-encoding' });
      return z.NEVER;
    }
  }
  return pairs;
}

const ConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().url().optional(),
  /** Where the embedded PostgreSQL keeps its data when DATABASE_URL is not set (default: <repo>/.data/postgres). */
  EMBEDDED_PG_DIR: z.string().default(`${REPO_ROOT}.data/postgres`),
  /** The SQL migrations applied at start (default: <repo>/migrations; the container sets its own). */
  MIGRATIONS_DIR: z.string().default(`${REPO_ROOT}migrations`),
  /** The built console, portal and API reference (default: <repo>/apps/web/dist; the container sets its own). */
  WEB_DIST_DIR: z.string().default(`${REPO_ROOT}apps/web/dist`),
  REDIS_URL: z.string().url().optional(),
  IHF_ADMIN_TOKEN: z.string().min(32, 'IHF_ADMIN_TOKEN must be at least 32 characters').optional(),
  IHF_SECRET_KEY: z.string().min(32, 'IHF_SECRET_KEY must be at least 32 characters').optional(),
  /** server: API and in-process worker; api: API only; worker: webhook worker only. */
  IHF_ROLE: z.enum(['server', 'api', 'worker']).default('server'),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool,
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('0,5,300,1800,7200,18000,36000,36000')
    .transform((s, ctx) => {
      const parts = s.split(',').map((p) => Number(p.trim()));
      if (parts.length === 0 || parts.some((n) => !Number.isFinite(n) || n < 0)) {
        ctx.addIssue({ code: 'custom', message: 'must be comma-separated non-negative seconds' });
        return z.NEVER;
      }
      return parts;
    }),
  /** Whole-exchange deadline of one webhook attempt. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  /** Webhook HTTP requests in flight at once per worker process (4x as many attempts claim and log around them). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** When set, replaces every tier's burst default (a consumer's own burst_threshold still wins). */
  BURST_THRESHOLD: z.coerce.number().int().min(1).optional(),
  BURST_WINDOW_SECONDS: z.coerce.number().int().min(1).default(1),
  /** Days the webhook tables (events, messages, delivery log) are kept; older day partitions are dropped (migration 0023). */
  WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  /** Days of request log kept; older day partitions are dropped (migration 0004). */
  REQUEST_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  INJECTION_THRESHOLD: z.coerce.number().min(0).max(1).default(0.7),
  /** Lifetime of OAuth access tokens from POST /api/v2/token. */
  OAUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600),
  /** OAuth issuer (RFC 8414), e.g. https://api.example.com; by default the request's own origin. */
  OAUTH_ISSUER: z.string().url().optional(),
  /** Origin the console and portal are reached at, for the links the API mints (portal sessions); by default the request's own origin. */
  PUBLIC_BASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Grace period for in-flight requests on SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  /** IHF_ROLE=worker only: where the worker serves GET /metrics (the other roles serve it on PORT). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Tracing is on only when this is set: OTLP/HTTP, spans go to `${endpoint}/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** Headers sent with each export, `key=value` pairs separated by commas (e.g. an API key). */
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional().transform((s, ctx) => parseKeyValues(s, ctx)),
  OTEL_SERVICE_NAME: z.string().min(1).default('ihf-external-api'),
  /** Share of new traces recorded (0..1); a request that arrives sampled or not keeps its caller's decision. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Milliseconds between span exports. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(0).default(5000),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Every variable the server reads (all documented in .env.example). */
export const CONFIG_KEYS = Object.keys(ConfigSchema.shape);

export class ConfigError extends Error {}

/** Parses the environment once, at boot. Nothing else in the server reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}
