import {
  type Clock,
  type DeadLetterStore,
  type IdGenerator,
  type JobContext,
  type LogFields,
  type Logger,
  PostponeJob,
} from '@aura/application/platform';
import type { Uuid } from '@aura/domain';
import { describe, expect, it } from 'vitest';
import { AuraMetrics } from '../observability/metrics.js';
import { jobHooks } from './job-hooks.js';

interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: LogFields | undefined;
}

function recordingLogger(lines: LogLine[]): Logger {
  const logger: Logger = {
    debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  return logger;
}

function setup() {
  const metrics = new AuraMetrics(
    { outbox: async () => ({ backlog: 0, oldestAgeSeconds: 0 }), parkedDeadLetters: async () => 0 },
    { defaultMetrics: false },
  );
  const lines: LogLine[] = [];
  const recorded: unknown[] = [];
  const deadLetters = {
    record: async (entry: unknown) => {
      recorded.push(entry);
    },
  } as unknown as DeadLetterStore;
  const ids: IdGenerator = { next: () => '0190a000-0000-7000-8000-000000000001' as Uuid };
  const clock: Clock = { now: () => new Date('2025-01-01T00:00:00Z') };
  const hooks = jobHooks({ deadLetters, metrics, logger: recordingLogger(lines), ids, clock });
  return { hooks, metrics, lines, recorded };
}

const job = (overrides: Partial<JobContext> = {}): JobContext => ({
  id: 'job-1',
  queue: 'notifications.deliver',
  name: 'deliver',
  data: { correlationId: 'corr-1' },
  attempt: 1,
  maxAttempts: 5,
  ...overrides,
});

describe('jobHooks', () => {
  it('counts a postponement as outcome="postponed" and logs it at info level', async () => {
    const { hooks, metrics, lines, recorded } = setup();
    hooks.onPostponed(job(), new PostponeJob(30_000, 'circuit open for provider smtp'));
    hooks.onPostponed(job({ attempt: 2 }), new PostponeJob(5_000, 'quiet hours'));

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^aura_jobs_total\{queue="notifications.deliver",outcome="postponed"\} 2$/m);
    expect(text).not.toMatch(/outcome="(retried|failed|completed)"/);
    expect(lines).toEqual([
      {
        level: 'info',
        message: 'job postponed',
        fields: {
          queue: 'notifications.deliver',
          job: 'deliver',
          jobId: 'job-1',
          attempt: 1,
          correlationId: 'corr-1',
          delayMs: 30_000,
          reason: 'circuit open for provider smtp',
        },
      },
      {
        level: 'info',
        message: 'job postponed',
        fields: expect.objectContaining({ attempt: 2, delayMs: 5_000, reason: 'quiet hours' }),
      },
    ]);
    expect(recorded).toEqual([]); // a postponement is no dead letter
  });

  it('leaves out a correlation id the job data does not carry', () => {
    const { hooks, lines } = setup();
    hooks.onPostponed(job({ data: null }), new PostponeJob(100, 'lease held elsewhere'));
    expect(lines[0]?.fields).not.toHaveProperty('correlationId');
    expect(lines[0]?.fields).toMatchObject({ jobId: 'job-1', delayMs: 100, reason: 'lease held elsewhere' });
  });

  it('keeps the postponed count apart from the other outcomes', async () => {
    const { hooks, metrics, lines, recorded } = setup();
    hooks.onCompleted(job());
    hooks.onRetry(job(), new Error('timeout'));
    hooks.onPostponed(job(), new PostponeJob(10, 'circuit open'));
    await hooks.onExhausted(job({ attempt: 5 }), new Error('gave up'));

    const text = await metrics.registry.metrics();
    for (const outcome of ['completed', 'retried', 'postponed', 'failed'])
      expect(text).toMatch(new RegExp(`^aura_jobs_total\\{queue="notifications.deliver",outcome="${outcome}"\\} 1$`, 'm'));
    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['warn', 'job failed; will retry'],
      ['info', 'job postponed'],
      ['error', 'job failed for good; parked as a dead letter'],
    ]);
    expect(recorded).toHaveLength(1);
  });
});
