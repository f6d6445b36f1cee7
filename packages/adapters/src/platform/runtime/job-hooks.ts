import type { Clock, DeadLetterStore, IdGenerator, JobContext, Logger, WorkerOptions } from '@aura/application/platform';
import type { AuraMetrics } from '../observability/metrics.js';

/** What every processed queue reports: metrics, logs, and a dead letter when attempts run out. */
export function jobHooks(deps: {
  deadLetters: DeadLetterStore;
  metrics: AuraMetrics;
  logger: Logger;
  ids: IdGenerator;
  clock: Clock;
}): Required<Pick<WorkerOptions, 'onExhausted' | 'onRetry' | 'onCompleted' | 'onPostponed'>> {
  // Hooks run outside the job's scope: name its correlation id explicitly.
  const describe = (job: JobContext) => {
    const correlationId = (job.data as { correlationId?: unknown } | null)?.correlationId;
    return {
      queue: job.queue,
      job: job.name,
      jobId: job.id,
      attempt: job.attempt,
      ...(typeof correlationId === 'string' ? { correlationId } : {}),
    };
  };
  return {
    onCompleted: (job) => {
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'completed' });
    },
    onRetry: (job, error) => {
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'retried' });
      deps.logger.warn('job failed; will retry', { ...describe(job), maxAttempts: job.maxAttempts, err: error });
    },
    onPostponed: (job, postponement) => {
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'postponed' });
      if (postponement.quiet) return;
      deps.logger.info('job postponed', { ...describe(job), delayMs: postponement.delayMs, reason: postponement.message });
    },
    onExhausted: async (job, error) => {
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'failed' });
      try {
        await deps.deadLetters.record({
          id: deps.ids.next(),
          queue: job.queue,
          jobName: job.name,
          jobId: job.id,
          data: job.data,
          attempts: job.attempt,
          lastError: error.message,
          failedAt: deps.clock.now(),
        });
      } catch (recordError) {
        // The queue keeps the failed job (BullMQ's failed set); say loudly that it is not parked.
        deps.logger.error('job failed for good, and its dead letter could not be stored', {
          ...describe(job),
          err: error,
          recordError,
        });
        throw recordError;
      }
      deps.logger.error('job failed for good; parked as a dead letter', { ...describe(job), err: error });
    },
  };
}
