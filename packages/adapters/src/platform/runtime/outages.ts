import type { Logger } from '@aura/application/platform';
import type { AuraMetrics } from '../observability/metrics.js';

/** A service Aura cannot work without, and that can be away for a while. */
export type Dependency = 'database' | 'redis';

/**
 * A failure to reach a dependency, as the adapter that met it says: not a bug in the request
 * or the job, so HTTP answers 503 with `Retry-After` and jobs wait without using an attempt.
 */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
  constructor(
    readonly dependency: Dependency,
    cause: unknown,
  ) {
    super(`${dependency} unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Node's socket errors: the peer is not there, went away, or cannot be reached. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

/**
 * SQLSTATEs of a server that is away or refusing connections: class 08 (connection
 * exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting
 * up or shutting down), 53300 too many connections.
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/** What node-postgres says when its connection died or could not be made. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated unexpectedly',
  'Connection terminated due to connection timeout',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection terminated',
];

/** What ioredis and BullMQ say when Redis is away, paused or the connection is closed. */
const REDIS_CONNECTION_MESSAGES = [
  'Reached the max retries per request limit',
  'Connection is closed',
  'Command timed out',
  "Stream isn't writeable and enableOfflineQueue options is false",
  'Redis was not reachable',
  'Redis did not answer',
];

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : '';
}

/** Whether a Redis client's error means Redis is away (rather than a bad command). */
export function isRedisConnectionError(error: unknown): boolean {
  if (error instanceof DependencyUnavailableError) return error.dependency === 'redis';
  const code = codeOf(error);
  if (code !== undefined && SOCKET_CODES.has(code)) return true;
  const message = messageOf(error);
  return (
    (error as Error | null)?.name === 'MaxRetriesPerRequestError' ||
    REDIS_CONNECTION_MESSAGES.some((text) => message.includes(text)) ||
    /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH)\b/.test(message)
  );
}

/**
 * Which dependency an error says is away, if any. Redis failures are tagged where they happen
 * (the queue wraps them in DependencyUnavailableError); an untagged connection failure comes
 * from the database (node-postgres's socket errors, its own messages, or a server-side
 * SQLSTATE of a server going away). The error's `cause` chain is followed.
 */
export function unavailableDependency(error: unknown, depth = 0): Dependency | undefined {
  if (error === null || error === undefined || depth > 5) return undefined;
  if (error instanceof DependencyUnavailableError) return error.dependency;
  const code = codeOf(error);
  if (code !== undefined && (SOCKET_CODES.has(code) || (code.length === 5 && isUnavailableSqlState(code)))) return 'database';
  const message = messageOf(error);
  if (PG_CONNECTION_MESSAGES.some((text) => message.startsWith(text))) return 'database';
  return unavailableDependency((error as { cause?: unknown }).cause, depth + 1);
}

export interface OutageMonitorOptions {
  readonly dependency: Dependency;
  readonly logger: Logger;
  readonly metrics: AuraMetrics;
  /** Resolves when the dependency answers (`SELECT 1`, `PING`). */
  readonly probe: () => Promise<void>;
  /** First wait between probes while it is down; doubles up to `maxProbeIntervalMs`. */
  readonly probeIntervalMs?: number;
  readonly maxProbeIntervalMs?: number;
}

/**
 * Knows whether one dependency is up, and says so once per change: a failure reported while
 * it is up is confirmed by a probe at once (a single dropped connection that the pool
 * replaces is not an outage); a confirmed outage is logged once when it starts and once when
 * it ends, with a gauge (`aura_dependency_up`) and a counter (`aura_dependency_outages_total`),
 * and probed with backoff until it answers. Failures during an outage are only counted.
 */
export class OutageMonitor {
  readonly dependency: Dependency;
  #down = false;
  #since = 0;
  #failures = 0;
  #probing: Promise<void> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(private readonly options: OutageMonitorOptions) {
    this.dependency = options.dependency;
    options.metrics.dependencyUp.set({ dependency: this.dependency }, 1);
  }

  get isDown(): boolean {
    return this.#down;
  }

  /** An operation could not reach the dependency. */
  reportFailure(error: unknown): void {
    if (this.#closed) return;
    if (this.#down) {
      this.#failures += 1;
      return;
    }
    this.#probing ??= this.#confirm(error).finally(() => {
      this.#probing = undefined;
    });
  }

  /** Stops probing (at shutdown). */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  async #confirm(error: unknown): Promise<void> {
    if (await this.#answers()) {
      this.options.logger.debug(`a ${this.dependency} connection failed, and the ${this.dependency} answers`, {
        dependency: this.dependency,
        error: messageOf(error),
      });
      return;
    }
    if (this.#closed || this.#down) return;
    this.#down = true;
    this.#since = Date.now();
    this.#failures = 1;
    this.options.metrics.dependencyUp.set({ dependency: this.dependency }, 0);
    this.options.metrics.dependencyOutages.inc({ dependency: this.dependency });
    this.options.logger.warn(`${this.dependency} unavailable`, { dependency: this.dependency, error: messageOf(error) });
    this.#schedule(this.options.probeIntervalMs ?? 500);
  }

  #schedule(delayMs: number): void {
    if (this.#closed) return;
    this.#timer = setTimeout(async () => {
      if (await this.#answers()) this.#recovered();
      else this.#schedule(Math.min(delayMs * 2, this.options.maxProbeIntervalMs ?? 5_000));
    }, delayMs);
    this.#timer.unref();
  }

  #recovered(): void {
    if (this.#closed || !this.#down) return;
    this.#down = false;
    this.options.metrics.dependencyUp.set({ dependency: this.dependency }, 1);
    this.options.logger.info(`${this.dependency} available again`, {
      dependency: this.dependency,
      downForSeconds: Math.round((Date.now() - this.#since) / 100) / 10,
      failuresDuringOutage: this.#failures,
    });
  }

  async #answers(): Promise<boolean> {
    try {
      await this.options.probe();
      return true;
    } catch {
      return false;
    }
  }
}

/** One monitor per dependency this process uses (Redis only when it is configured). */
export interface DependencyMonitors {
  readonly database: OutageMonitor;
  readonly redis: OutageMonitor | undefined;
}
export const DependencyMonitorsToken = Symbol.for('aura.adapters.DependencyMonitors');

/** Reports `error` to the monitor of the dependency it names; returns that dependency (or undefined: not an outage). */
export function reportIfUnavailable(monitors: DependencyMonitors, error: unknown): Dependency | undefined {
  const dependency = unavailableDependency(error);
  if (dependency === 'database') monitors.database.reportFailure(error);
  else if (dependency === 'redis') monitors.redis?.reportFailure(error);
  return dependency;
}
