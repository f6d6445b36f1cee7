/** A named queue, `<module>.<job>` (e.g. `notifications.deliver`). */
export type QueueName = string;

export interface BackoffPolicy {
  readonly type: 'exponential' | 'fixed';
  /** First retry delay; exponential doubles it each attempt. */
  readonly delayMs: number;
}

export interface EnqueueOptions {
  /**
   * De-duplication key: while a job with this id is known to the queue (waiting, running
   * or recently completed), enqueueing it again is a no-op.
   */
  readonly jobId?: string;
  /**
   * With a `jobId`: a job with this id that failed for good (and is kept as failed) does not
   * block this one; it is replaced. A waiting, delayed, running or completed one still does.
   * For work re-derived from the database (sweeps), which must run again after such a failure.
   */
  readonly replaceFailed?: boolean;
  readonly delayMs?: number;
  /** Total attempts including the first (default from configuration). */
  readonly attempts?: number;
  readonly backoff?: BackoffPolicy;
}

export interface JobToEnqueue<TData = unknown> {
  readonly queue: QueueName;
  readonly name: string;
  readonly data: TData;
  readonly options?: EnqueueOptions;
}

export interface JobContext<TData = unknown> {
  readonly id: string;
  readonly queue: QueueName;
  readonly name: string;
  readonly data: TData;
  /** 1 for the first run. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export type JobHandler<TData = unknown> = (job: JobContext<TData>) => Promise<void>;

export interface WorkerOptions {
  /** Jobs of this queue run at most this many at a time in this process. */
  readonly concurrency?: number;
  /**
   * Called once when a job has failed its last attempt (or failed permanently), before
   * the queue forgets it: the platform records a dead letter here.
   */
  readonly onExhausted?: (job: JobContext, error: Error) => Promise<void>;
  /** Called when an attempt failed and another one is scheduled. */
  readonly onRetry?: (job: JobContext, error: Error) => void;
  /** Called when a handler postponed its job (see {@link PostponeJob}). */
  readonly onPostponed?: (job: JobContext, postponement: PostponeJob) => void;
  readonly onCompleted?: (job: JobContext) => void;
}

export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
}

/**
 * Background jobs. Two adapters pass one contract suite: in memory (embedded mode) and
 * BullMQ on Redis (production, any number of worker processes).
 */
export interface JobQueue {
  enqueue<TData>(job: JobToEnqueue<TData>): Promise<void>;
  enqueueMany(jobs: readonly JobToEnqueue[]): Promise<void>;
  /** Starts consuming a queue in this process. One handler per queue. */
  process<TData>(queue: QueueName, handler: JobHandler<TData>, options?: WorkerOptions): Promise<void>;
  counts(queue: QueueName): Promise<QueueCounts>;
  /** Throws when the queue's backing store cannot be reached. */
  ping(): Promise<void>;
  /** Stops taking jobs, waits for running ones (up to the configured timeout), releases connections. */
  close(): Promise<void>;
}
export const JobQueue = Symbol.for('aura.platform.JobQueue');

/**
 * Thrown by a handler for a failure that retrying cannot fix (an unknown event version, a
 * malformed payload): the job goes straight to the dead letters.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

export function isPermanentJobError(error: unknown): error is PermanentJobError {
  return error instanceof Error && error.name === 'PermanentJobError';
}

/**
 * Thrown by a handler that cannot do its work yet, through no fault of the job (a provider's
 * circuit is open, a lease is held elsewhere, the recipient's quiet hours): the job runs again
 * after `delayMs` with the same attempt number. Postponing does not use up an attempt.
 */
export class PostponeJob extends Error {
  override readonly name = 'PostponeJob';
  /** Not logged one by one (an outage postpones every job; its monitor logs it once). */
  readonly quiet: boolean;
  constructor(
    readonly delayMs: number,
    reason: string,
    options: { readonly quiet?: boolean } = {},
  ) {
    super(reason);
    this.quiet = options.quiet === true;
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`delayMs must be a finite number >= 0, got ${delayMs}`);
  }
}

export function isPostponeJob(error: unknown): error is PostponeJob {
  return error instanceof Error && error.name === 'PostponeJob' && typeof (error as PostponeJob).delayMs === 'number';
}
