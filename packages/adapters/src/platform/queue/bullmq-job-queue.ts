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
import { DelayedError, type Job, type JobsOptions, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { DependencyUnavailableError, isRedisConnectionError } from '../runtime/outages.js';
import { exhausted, ignoreErrors, resolveJobOptions, toError } from './queue-support.js';

export interface BullmqJobQueueOptions {
  /** `redis://[user:password@]host:port[/db]` */
  readonly url: string;
  /** Redis key prefix of every queue (BullMQ's default is `bull`). Must not contain `:`. */
  readonly prefix?: string;
  /** Total attempts of a job that does not say otherwise (including the first). */
  readonly defaultAttempts: number;
  readonly defaultBackoff: BackoffPolicy;
  /** How long `close()` waits for running jobs before force-closing the workers. */
  readonly closeTimeoutMs: number;
  /**
   * How long a job's lock lasts without renewal, and how often stalled jobs are looked for:
   * after a worker process dies, its jobs run elsewhere within about twice this. Default 30 s.
   */
  readonly lockDurationMs?: number;
  /** How long `ping()` waits for Redis; default 2000 ms. */
  readonly pingTimeoutMs?: number;
  /**
   * Connection and worker errors that BullMQ recovers from by itself (reconnects, retried
   * lock renewals). Default: ignored. Wire it to the logger.
   */
  readonly onError?: (error: Error) => void;
}

/** Locks are renewed every lockDuration / 2; a job whose lock lapses is "stalled" and re-run elsewhere. */
const LOCK_DURATION_MS = 30_000;
const STALLED_INTERVAL_MS = 30_000;
/** A job that stalls more than this (its worker died twice while running it) fails for good. */
const MAX_STALLED_COUNT = 1;
const COMPLETED_RETENTION = { age: 24 * 60 * 60, count: 10_000 } as const;
const FAILED_RETENTION = { age: 7 * 24 * 60 * 60 } as const;
/**
 * Pause of a worker's fetch loop after a Redis error (BullMQ default 15 s). BullMQ cannot
 * cut this pause short on close(), so it bounds how long a closed worker that lost Redis
 * keeps the process alive.
 */
const RUN_RETRY_DELAY_MS = 2_000;
const CONNECT_TIMEOUT_MS = 5_000;
const PRODUCER_COMMAND_TIMEOUT_MS = 5_000;

const QUIT_TIMEOUT_MS = 1_000;

/**
 * The production `JobQueue`: BullMQ on Redis. Any number of processes may run workers for
 * the same queues; BullMQ's job locks (renewed while a job runs, taken over by the stalled
 * check when a worker dies) keep a job from running twice at once.
 *
 * Job ids: BullMQ refuses custom ids that contain `:` (its key separator) or that look like
 * integers (its generated ids). Ids are therefore encoded reversibly before they reach Redis
 * (`%` → `%25`, `:` → `%3A`, and an integer-looking result gets a `%i` prefix); handlers see
 * the original id.
 *
 * `attempt` is `job.attemptsMade + 1`: attemptsMade counts *failed* attempts and is what
 * BullMQ's own retry decision uses. A run cut short by a dead worker (a stall) is not a
 * failed attempt, so the re-run reports the same attempt number. A job that stalls more than
 * MAX_STALLED_COUNT times is failed by BullMQ without running the handler, so `onExhausted`
 * is not called for it.
 */
export class BullmqJobQueue implements JobQueue {
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers = new Map<QueueName, Worker>();
  private readonly workerConnections: Redis[] = [];
  private producerConnection: Redis | undefined;
  private producerWasReady = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: BullmqJobQueueOptions) {}

  async enqueue<TData>(job: JobToEnqueue<TData>): Promise<void> {
    this.assertOpen();
    const prepared = this.prepare(job);
    await this.redisCall(async () => {
      await this.removeFailed(job, prepared);
      await this.queue(job.queue).add(job.name, job.data, prepared);
    });
  }

  /** `replaceFailed`: a job that failed for good under the same id is removed first (any other is kept). */
  private async removeFailed(job: JobToEnqueue, prepared: JobsOptions): Promise<void> {
    if (job.options?.replaceFailed !== true || prepared.jobId === undefined) return;
    const queue = this.queue(job.queue);
    // Failed by another process in between: simply not replaced this time (the next sweep will).
    if ((await queue.getJobState(prepared.jobId)) === 'failed') await queue.remove(prepared.jobId).catch(() => undefined);
  }

  async enqueueMany(jobs: readonly JobToEnqueue[]): Promise<void> {
    this.assertOpen();
    const byQueue = new Map<QueueName, Array<{ name: string; data: unknown; opts: JobsOptions }>>();
    const prepared = jobs.map((job) => ({ job, opts: this.prepare(job) }));
    // The look-ups go out together (one connection pipelines them), not one round trip each.
    await this.redisCall(() => Promise.all(prepared.map(({ job, opts }) => this.removeFailed(job, opts))));
    for (const { job, opts } of prepared) {
      const batch = byQueue.get(job.queue) ?? [];
      batch.push({ name: job.name, data: job.data, opts });
      byQueue.set(job.queue, batch);
    }
    // One atomic addBulk per queue.
    await this.redisCall(async () => {
      for (const [queue, batch] of byQueue) await this.queue(queue).addBulk(batch);
    });
  }

  async process<TData>(queue: QueueName, handler: JobHandler<TData>, options: WorkerOptions = {}): Promise<void> {
    this.assertOpen();
    if (this.workers.has(queue)) throw new Error(`Queue "${queue}" is already being processed`);
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
    // Workers block on their connection: BullMQ requires maxRetriesPerRequest: null. It
    // duplicates this (never connected) template for its main and blocking connections.
    const connection = this.connect({ maxRetriesPerRequest: null, lazyConnect: true });
    this.workerConnections.push(connection);
    const worker = new Worker(
      queue,
      (job: Job, token?: string) => this.run(queue, job, token, handler as JobHandler<unknown>, options),
      {
        connection,
        ...this.prefixOption(),
        concurrency,
        autorun: true,
        lockDuration: this.options.lockDurationMs ?? LOCK_DURATION_MS,
        stalledInterval: this.options.lockDurationMs ?? STALLED_INTERVAL_MS,
        maxStalledCount: MAX_STALLED_COUNT,
        skipStalledCheck: false,
        skipLockRenewal: false,
        runRetryDelay: RUN_RETRY_DELAY_MS,
      },
    );
    worker.on('error', (error) => this.reportError(error));
    // A job whose worker died more than MAX_STALLED_COUNT times is failed by BullMQ without
    // running the handler: park it as a dead letter all the same, so it is not lost silently.
    worker.on('failed', (job, error) => {
      if (job === undefined || !/stalled more than allowable limit/.test(error.message)) return;
      void exhausted(options, jobContext(queue, job), error).catch((hookError: unknown) => this.reportError(hookError as Error));
    });
    this.workers.set(queue, worker);
  }

  async counts(queue: QueueName): Promise<QueueCounts> {
    this.assertOpen();
    const counts = await this.redisCall(() => this.queue(queue).getJobCounts('waiting', 'active', 'delayed', 'failed'));
    return { waiting: counts.waiting ?? 0, active: counts.active ?? 0, delayed: counts.delayed ?? 0, failed: counts.failed ?? 0 };
  }

  async ping(): Promise<void> {
    this.assertOpen();
    const client = this.producer();
    const timeoutMs = this.options.pingTimeoutMs ?? 2_000;
    await whenReady(client, timeoutMs);
    const reply = await withTimeout(client.ping(), timeoutMs, `Redis did not answer PING within ${timeoutMs} ms`);
    if (reply !== 'PONG') throw new Error(`Unexpected PING reply from Redis: ${reply}`);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const workers = [...this.workers.values()];
    // Worker.close() stops fetching and waits for the active jobs; past the timeout, cut the
    // connections (a job still running then is picked up again by the stalled check). The
    // steps after this one are bounded by QUIT_TIMEOUT_MS each, for an unreachable Redis.
    const graceful = await settlesWithin(
      Promise.allSettled(workers.map((worker) => worker.close())),
      this.options.closeTimeoutMs,
    );
    if (!graceful) await settlesWithin(Promise.allSettled(workers.map((worker) => worker.disconnect())), QUIT_TIMEOUT_MS);
    await settlesWithin(Promise.allSettled([...this.queues.values()].map((queue) => queue.close())), QUIT_TIMEOUT_MS);
    const producer = this.producerConnection;
    if (producer?.status === 'ready') {
      const quit = producer.quit().catch(() => undefined);
      if (!(await settlesWithin(quit, QUIT_TIMEOUT_MS))) producer.disconnect();
    } else {
      producer?.disconnect();
    }
    for (const connection of this.workerConnections) connection.disconnect();
  }

  private async run(
    queue: QueueName,
    job: Job,
    token: string | undefined,
    handler: JobHandler<unknown>,
    options: WorkerOptions,
  ): Promise<void> {
    const context = jobContext(queue, job);
    try {
      await handler(context);
    } catch (thrown) {
      const error = toError(thrown);
      if (isPostponeJob(error)) {
        // Back to the delayed set without counting an attempt (BullMQ's skipAttempt).
        await job.moveToDelayed(Date.now() + error.delayMs, token);
        ignoreErrors(() => options.onPostponed?.(context, error));
        throw new DelayedError();
      }
      if (isPermanentJobError(error)) {
        await exhausted(options, context, error);
        throw new UnrecoverableError(`${error.name}: ${error.message}`);
      }
      // Record the dead letter before BullMQ marks the job failed: if this process dies in
      // between, the job is retried (and recorded again), never lost silently.
      if (context.attempt >= context.maxAttempts) await exhausted(options, context, error);
      else ignoreErrors(() => options.onRetry?.(context, error));
      throw error;
    }
    ignoreErrors(() => options.onCompleted?.(context));
  }

  private prepare(job: JobToEnqueue): JobsOptions {
    const { jobId, attempts, backoff, delayMs } = resolveJobOptions(job, this.options);
    return {
      attempts,
      backoff: { type: backoff.type, delay: backoff.delayMs },
      ...(delayMs > 0 ? { delay: delayMs } : {}),
      ...(jobId !== undefined ? { jobId: encodeJobId(jobId) } : {}),
      removeOnComplete: COMPLETED_RETENTION,
      removeOnFail: FAILED_RETENTION,
    };
  }

  private queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.producer(), ...this.prefixOption() });
      queue.on('error', (error) => this.reportError(error));
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * Runs producer commands. While the producer connection is down (it was ready once, and is
   * reconnecting), a call fails at once instead of waiting for Redis (BullMQ waits without
   * bound for a new Queue's connection); before the first connection it waits up to the
   * connect timeout. A failure to reach Redis becomes DependencyUnavailableError (503 for a
   * request, a postponed job for a worker).
   */
  private async redisCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      const producer = this.producer();
      if (producer.status !== 'ready') {
        if (this.producerWasReady) throw new Error(`Redis was not reachable: the connection is ${producer.status}`);
        await whenReady(producer, CONNECT_TIMEOUT_MS);
      }
      return await call();
    } catch (error) {
      throw isRedisConnectionError(error) ? new DependencyUnavailableError('redis', error) : error;
    }
  }

  /**
   * One connection shared by every producer Queue of this instance. It fails fast while Redis
   * is away (one reconnection attempt per command, a command timeout for a Redis that hangs),
   * so a request that enqueues answers 503 at once instead of waiting for Redis to come back.
   */
  private producer(): Redis {
    if (this.producerConnection === undefined) {
      const connection = this.connect({ maxRetriesPerRequest: 1, commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS });
      connection.once('ready', () => {
        this.producerWasReady = true;
      });
      this.producerConnection = connection;
    }
    return this.producerConnection;
  }

  private connect(extra: RedisOptions): Redis {
    const connection = new Redis(this.options.url, { connectTimeout: CONNECT_TIMEOUT_MS, ...extra });
    connection.on('error', (error: Error) => this.reportError(error));
    return connection;
  }

  private prefixOption(): { prefix?: string } {
    return this.options.prefix === undefined ? {} : { prefix: this.options.prefix };
  }

  private reportError(error: Error): void {
    ignoreErrors(() => this.options.onError?.(error));
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('The job queue is closed');
  }
}

const ESCAPED = /%(25|3A)/g;

/** Makes any string an id BullMQ accepts (no `:`, not integer-looking); reversed by decodeJobId. */
function encodeJobId(id: string): string {
  const escaped = id.replaceAll('%', '%25').replaceAll(':', '%3A');
  return `${Number.parseInt(escaped, 10)}` === escaped ? `%i${escaped}` : escaped;
}

function decodeJobId(id: string): string {
  const body = id.startsWith('%i') ? id.slice(2) : id;
  return body.replace(ESCAPED, (_, code: string) => (code === '25' ? '%' : ':'));
}

/** Resolves once the client is connected; rejects with the connection error if it cannot connect. */
function whenReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new Error('The Redis connection is closed'));
  return new Promise((resolve, reject) => {
    const settle = (error?: Error) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => settle();
    const onError = (error: Error) => settle(error);
    const timer = setTimeout(() => settle(new Error(`Redis was not reachable within ${timeoutMs} ms`)), timeoutMs);
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when the promise settled within the time, false when the time ran out first. */
async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a handler sees of a BullMQ job: the original id, and attempts counted from 1. */
function jobContext(queue: QueueName, job: Job): JobContext {
  return Object.freeze({
    id: decodeJobId(job.id ?? ''),
    queue,
    name: job.name,
    data: job.data as unknown,
    attempt: job.attemptsMade + 1,
    maxAttempts: job.opts.attempts ?? 1,
  });
}
