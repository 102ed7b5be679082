/** The pino logger. */
import pino from 'pino';

/** A pino logger. */
export type Logger = pino.Logger;

/** Creates the process logger at the configured level. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: 'cadre' }, redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'password', '*.password', 'token', '*.token', '_csrf', '*._csrf'] });
}
