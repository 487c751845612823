import { destination, pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs to stdout; credentials and cookies never reach them. Written asynchronously:
 * lines logged while a write is in flight go out together in the next one (one syscall
 * for many access log lines under load, at once when idle), and pino writes what is left
 * synchronously when the process exits.
 */
export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.client_secret'], censor: '[redacted]' },
    },
    destination({ dest: 1, sync: false }),
  );
}
