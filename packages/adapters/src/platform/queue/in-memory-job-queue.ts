import { AsyncResource } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type {
  BackoffPolicy,
  JobContext,
  JobHandler,
  JobQueue,
  JobToEnqueue,
  QueueCounts,
  QueueName,
  WorkerOptions,
} from '@aura/application/platform';
import { isPermanentJobError, isPostponeJob } from '@aura/application/platform';
import { exhausted, ignoreErrors, resolveJobOptions, toError } from './queue-support.js';

export interface InMemoryJobQueueOptions {
  /** Total attempts of a job that does not say otherwise (including the first). */
  readonly defaultAttempts: number;
  readonly defaultBackoff: BackoffPolicy;
  /** How long `close()` waits for running jobs before giving up on them. */
  readonly closeTimeoutMs: number;
  /** How long a completed job's id keeps de-duplicating (BullMQ `removeOnComplete.age`); default 24 h. */
  readonly completedRetentionMs?: number;
  /** How long an exhausted job is kept (counted as `failed`, id still de-duplicating); default 7 days. */
  readonly failedRetentionMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Like BullMQ's `removeOnComplete.count`: bounds the memory kept for finished jobs per queue. */
const MAX_RETAINED_PER_QUEUE = 10_000;

interface StoredJob {
  readonly id: string;
  readonly queue: QueueName;
  readonly name: string;
  readonly data: unknown;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** The attempt its next run will be (1-based). */
  attempt: number;
}

interface Consumer {
  readonly handler: JobHandler<unknown>;
  readonly options: WorkerOptions;
  readonly concurrency: number;
}

interface QueueState {
  readonly waiting: StoredJob[];
  readonly delayed: Map<StoredJob, NodeJS.Timeout>;
  /** Ids of jobs waiting, delayed or running: enqueueing one of them again is a no-op. */
  readonly live: Set<string>;
  /** Finished job ids → expiry time, in expiry order (the retention is constant). */
  readonly completed: Map<string, number>;
  readonly failed: Map<string, number>;
  active: number;
  consumer: Consumer | undefined;
}

/**
 * The embedded-mode `JobQueue`: jobs live in this process only and are lost when it
 * stops. Same observable semantics as the BullMQ adapter (delays, retries with backoff,
 * per-queue concurrency, job-id de-duplication including recently finished jobs).
 */
export class InMemoryJobQueue implements JobQueue {
  private readonly queues = new Map<QueueName, QueueState>();
  private readonly running = new Set<Promise<void>>();
  private readonly completedRetentionMs: number;
  private readonly failedRetentionMs: number;
  private closing: Promise<void> | undefined;
  /**
   * Jobs run in the async context the queue was created in, never in the enqueuer's: a job
   * enqueued inside a transaction (the relay's) must not see that transaction or its
   * request scope, exactly as if another process ran it.
   */
  private readonly scope = new AsyncResource('aura.in-memory-job-queue');

  constructor(private readonly options: InMemoryJobQueueOptions) {
    this.completedRetentionMs = options.completedRetentionMs ?? DAY_MS;
    this.failedRetentionMs = options.failedRetentionMs ?? 7 * DAY_MS;
  }

  async enqueue<TData>(job: JobToEnqueue<TData>): Promise<void> {
    this.assertOpen();
    this.add(this.prepare(job));
  }

  async enqueueMany(jobs: readonly JobToEnqueue[]): Promise<void> {
    this.assertOpen();
    // Validate everything first: a bad job rejects the whole batch, as with BullMQ's addBulk.
    const prepared = jobs.map((job) => this.prepare(job));
    for (const job of prepared) this.add(job);
  }

  async process<TData>(queue: QueueName, handler: JobHandler<TData>, options: WorkerOptions = {}): Promise<void> {
    this.assertOpen();
    const state = this.state(queue);
    if (state.consumer) throw new Error(`Queue "${queue}" is already being processed`);
    state.consumer = { handler: handler as JobHandler<unknown>, options, concurrency: concurrencyOf(options) };
    this.pump(state);
  }

  async counts(queue: QueueName): Promise<QueueCounts> {
    const state = this.state(queue);
    prune(state.failed, Date.now());
    return { waiting: state.waiting.length, active: state.active, delayed: state.delayed.size, failed: state.failed.size };
  }

  async ping(): Promise<void> {}

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Delayed jobs (and retries) are dropped with their timers: nothing may keep the process alive.
    for (const state of this.queues.values()) {
      for (const [job, timer] of state.delayed) {
        clearTimeout(timer);
        state.live.delete(job.id);
      }
      state.delayed.clear();
    }
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeTimeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The job queue is closed');
  }

  private state(queue: QueueName): QueueState {
    let state = this.queues.get(queue);
    if (!state) {
      state = {
        waiting: [],
        delayed: new Map(),
        live: new Set(),
        completed: new Map(),
        failed: new Map(),
        active: 0,
        consumer: undefined,
      };
      this.queues.set(queue, state);
    }
    return state;
  }

  private prepare(job: JobToEnqueue): { stored: StoredJob; delayMs: number; replaceFailed: boolean } {
    const { jobId, replaceFailed, attempts, backoff, delayMs } = resolveJobOptions(job, this.options);
    const stored: StoredJob = {
      id: jobId ?? randomUUID(),
      queue: job.queue,
      name: job.name,
      data: job.data,
      maxAttempts: attempts,
      backoff,
      attempt: 1,
    };
    return { stored, delayMs, replaceFailed };
  }

  private add({ stored, delayMs, replaceFailed }: { stored: StoredJob; delayMs: number; replaceFailed: boolean }): void {
    const state = this.state(stored.queue);
    if (replaceFailed) state.failed.delete(stored.id);
    if (this.isKnown(state, stored.id)) return;
    state.live.add(stored.id);
    this.schedule(state, stored, delayMs);
  }

  private isKnown(state: QueueState, id: string): boolean {
    if (state.live.has(id)) return true;
    const now = Date.now();
    prune(state.completed, now);
    prune(state.failed, now);
    return state.completed.has(id) || state.failed.has(id);
  }

  private schedule(state: QueueState, job: StoredJob, delayMs: number): void {
    if (delayMs <= 0) {
      state.waiting.push(job);
      this.pump(state);
      return;
    }
    const timer = setTimeout(() => {
      state.delayed.delete(job);
      state.waiting.push(job);
      this.pump(state);
    }, delayMs);
    state.delayed.set(job, timer);
  }

  private pump(state: QueueState): void {
    const consumer = state.consumer;
    if (!consumer || this.closing) return;
    while (state.active < consumer.concurrency) {
      const job = state.waiting.shift();
      if (!job) return;
      state.active += 1;
      const run = this.scope.runInAsyncScope(() => this.run(state, consumer, job));
      this.running.add(run);
      void run.then(() => this.running.delete(run));
    }
  }

  /** Never rejects: handler and hook failures are all handled here. */
  private async run(state: QueueState, consumer: Consumer, job: StoredJob): Promise<void> {
    try {
      // Start in a task of its own, outside the caller's synchronous `enqueue` (like a real
      // queue would), and let I/O in between jobs: a backlog must not starve timers and sockets.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.closing) {
        state.waiting.unshift(job);
        return;
      }
      const context: JobContext = Object.freeze({
        id: job.id,
        queue: job.queue,
        name: job.name,
        data: job.data,
        attempt: job.attempt,
        maxAttempts: job.maxAttempts,
      });
      try {
        await consumer.handler(context);
      } catch (thrown) {
        await this.failed(state, consumer, job, context, toError(thrown));
        return;
      }
      state.live.delete(job.id);
      retain(state.completed, job.id, Date.now() + this.completedRetentionMs);
      ignoreErrors(() => consumer.options.onCompleted?.(context));
    } catch {
      // Unreachable in practice (every callback above is guarded); a job must never crash the process.
    } finally {
      state.active -= 1;
      this.pump(state);
    }
  }

  private async failed(state: QueueState, consumer: Consumer, job: StoredJob, context: JobContext, error: Error): Promise<void> {
    if (isPostponeJob(error)) {
      ignoreErrors(() => consumer.options.onPostponed?.(context, error));
      if (this.closing) {
        state.live.delete(job.id);
        return;
      }
      // Same attempt number: a postponement is not a failed attempt.
      this.schedule(state, job, error.delayMs);
      return;
    }
    if (!isPermanentJobError(error) && context.attempt < context.maxAttempts) {
      job.attempt = context.attempt + 1;
      ignoreErrors(() => consumer.options.onRetry?.(context, error));
      if (this.closing) {
        state.live.delete(job.id); // dropped with the other pending jobs
        return;
      }
      this.schedule(state, job, backoffDelay(job.backoff, context.attempt));
      return;
    }
    await exhausted(consumer.options, context, error);
    state.live.delete(job.id);
    retain(state.failed, job.id, Date.now() + this.failedRetentionMs);
  }
}

function concurrencyOf(options: WorkerOptions): number {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  return concurrency;
}

/** Delay before the retry that follows failed attempt `attempt` (1-based), as BullMQ computes it. */
function backoffDelay(backoff: BackoffPolicy, attempt: number): number {
  return backoff.type === 'exponential' ? Math.round(backoff.delayMs * 2 ** (attempt - 1)) : backoff.delayMs;
}

function retain(map: Map<string, number>, id: string, expiresAt: number): void {
  map.set(id, expiresAt);
  while (map.size > MAX_RETAINED_PER_QUEUE) {
    const oldest = map.keys().next();
    if (oldest.done) return;
    map.delete(oldest.value);
  }
}

function prune(map: Map<string, number>, now: number): void {
  for (const [id, expiresAt] of map) {
    if (expiresAt > now) return;
    map.delete(id);
  }
}
