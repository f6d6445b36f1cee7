/**
 * Who and what caused the current work: set per HTTP request and per job, read by the
 * logger, the outbox (event metadata) and the job queue (job data), so one correlation id
 * follows a request through every event and job it causes.
 */
export interface ExecutionScope {
  readonly correlationId: string;
  /** The event or request that directly caused this work. */
  readonly causationId?: string;
  /** The authenticated user, when there is one. */
  readonly userId?: string;
  readonly requestId?: string;
}

export interface ExecutionContext {
  /** The current scope, or undefined outside any request or job. */
  current(): ExecutionScope | undefined;
  run<T>(scope: ExecutionScope, work: () => T): T;
}
export const ExecutionContext = Symbol.for('aura.platform.ExecutionContext');
