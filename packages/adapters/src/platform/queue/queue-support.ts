import type { BackoffPolicy, JobContext, JobToEnqueue, WorkerOptions } from '@aura/application/platform';

export interface ResolvedJobOptions {
  readonly jobId: string | undefined;
  readonly replaceFailed: boolean;
  readonly attempts: number;
  readonly backoff: BackoffPolicy;
  readonly delayMs: number;
}

/** Applies the queue's defaults to a job's options and rejects impossible values (both adapters). */
export function resolveJobOptions(
  job: JobToEnqueue,
  defaults: { readonly defaultAttempts: number; readonly defaultBackoff: BackoffPolicy },
): ResolvedJobOptions {
  const options = job.options ?? {};
  const attempts = options.attempts ?? defaults.defaultAttempts;
  const backoff = options.backoff ?? defaults.defaultBackoff;
  const delayMs = options.delayMs ?? 0;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be an integer >= 1, got ${attempts}`);
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new RangeError(`delayMs must be a finite number >= 0, got ${delayMs}`);
  if (!(backoff.delayMs >= 0) || !Number.isFinite(backoff.delayMs)) {
    throw new RangeError(`backoff.delayMs must be a finite number >= 0, got ${backoff.delayMs}`);
  }
  if (options.jobId !== undefined && options.jobId.length === 0) throw new RangeError('jobId must not be empty');
  return { jobId: options.jobId, replaceFailed: options.replaceFailed === true, attempts, backoff, delayMs };
}

export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/** Hooks are observers: their failures (thrown, or a rejected promise) must not change the job's outcome. */
export function ignoreErrors(hook: () => unknown): void {
  try {
    const result = hook();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // ignored, see above
  }
}

/** Runs the onExhausted hook (which records the dead letter and logs its own failure) and waits for it. */
export async function exhausted(options: WorkerOptions, context: JobContext, error: Error): Promise<void> {
  try {
    await options.onExhausted?.(context, error);
  } catch {
    // The hook's own failure must not change the job's outcome or take the worker down.
  }
}
