import type { ExecutionContext, LogFields, Logger } from '@aura/application/platform';
import { pino } from 'pino';

/** Paths pino censors wherever they appear in a log line (up to three levels deep). */
export const REDACTED_PATHS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'secret',
  'authorization',
  'cookie',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.secret',
  '*.authorization',
  '*.cookie',
  '*.*.password',
  '*.*.newPassword',
  '*.*.currentPassword',
  '*.*.token',
  '*.*.accessToken',
  '*.*.refreshToken',
  '*.*.secret',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export function createPinoLogger(options: { level: string; context: ExecutionContext; destination?: pino.DestinationStream }) {
  return pino(
    {
      level: options.level,
      base: { service: 'aura' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      // Every line carries the ids of the request or job it was written for.
      mixin: () => {
        const scope = options.context.current();
        if (scope === undefined) return {};
        return {
          correlationId: scope.correlationId,
          ...(scope.requestId === undefined ? {} : { requestId: scope.requestId }),
          ...(scope.causationId === undefined ? {} : { causationId: scope.causationId }),
          ...(scope.userId === undefined ? {} : { userId: scope.userId }),
        };
      },
    },
    options.destination,
  );
}

/** The Logger port over pino. */
export class PinoLogger implements Logger {
  constructor(readonly pino: pino.Logger) {}

  debug(message: string, fields: LogFields = {}): void {
    this.pino.debug(fields, message);
  }
  info(message: string, fields: LogFields = {}): void {
    this.pino.info(fields, message);
  }
  warn(message: string, fields: LogFields = {}): void {
    this.pino.warn(fields, message);
  }
  error(message: string, fields: LogFields = {}): void {
    this.pino.error(fields, message);
  }
  child(bindings: LogFields): Logger {
    return new PinoLogger(this.pino.child(bindings));
  }
}
