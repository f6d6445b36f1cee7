export type LogFields = Readonly<Record<string, unknown>>;

/** Structured logging. Adapters add the request and correlation ids of the current scope. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}
export const Logger = Symbol.for('aura.platform.Logger');
