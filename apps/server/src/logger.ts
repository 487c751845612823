import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; credentials and cookies never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.client_secret'], censor: '[redacted]' },
  });
}
