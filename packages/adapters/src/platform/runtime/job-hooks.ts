import type { Clock, DeadLetterStore, IdGenerator, JobContext, Logger, WorkerOptions } from '@aura/application/platform';
import type { AuraMetrics } from '../observability/metrics.js';

/** What every processed queue reports: metrics, logs, and a dead letter when attempts run out. */
export function jobHooks(deps: {
  deadLetters: DeadLetterStore;
  metrics: AuraMetrics;
  logger: Logger;
  ids: IdGenerator;
  clock: Clock;
}): Required<Pick<WorkerOptions, 'onExhausted' | 'onRetry' | 'onCompleted'>> {
  const describe = (job: JobContext) => ({ queue: job.queue, job: job.name, jobId: job.id, attempt: job.attempt });
  return {
    onCompleted: (job) => {
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'completed' });
    },
    onRetry: (job, error) => {
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'retried' });
      deps.logger.warn('job failed; will retry', { ...describe(job), maxAttempts: job.maxAttempts, err: error });
    },
    onExhausted: async (job, error) => {
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
      deps.metrics.jobs.inc({ queue: job.queue, outcome: 'failed' });
      deps.logger.error('job failed for good; parked as a dead letter', { ...describe(job), err: error });
    },
  };
}
