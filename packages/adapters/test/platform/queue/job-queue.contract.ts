/**
 * The behaviour every `JobQueue` adapter must have. `make` returns a fresh, empty queue,
 * isolated from every other test, configured with:
 * - `defaultAttempts: 3` (asserted as the default `maxAttempts`);
 * - `closeTimeoutMs` between 500 ms and 5 s (about 1 s is best): the close tests rely on a
 *   100 ms job finishing within it, and on a job that never ends outliving it.
 * The suite closes the queue after each test, then calls `cleanup`.
 */
import type { JobContext, JobQueue, QueueCounts, WorkerOptions } from '@aura/application';
import { isPermanentJobError, isPostponeJob, PermanentJobError, PostponeJob } from '@aura/application';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

export interface JobQueueFixture {
  readonly queue: JobQueue;
  readonly cleanup?: () => Promise<void>;
}

const FAST_RETRY = { type: 'fixed', delayMs: 20 } as const;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

interface HookCalls {
  readonly retried: Array<{ job: JobContext; error: Error }>;
  readonly postponed: Array<{ job: JobContext; postponement: PostponeJob }>;
  readonly exhausted: Array<{ job: JobContext; error: Error }>;
  readonly completed: JobContext[];
  readonly options: WorkerOptions;
}

function recordingHooks(extra: WorkerOptions = {}): HookCalls {
  const retried: HookCalls['retried'] = [];
  const postponed: HookCalls['postponed'] = [];
  const exhausted: HookCalls['exhausted'] = [];
  const completed: JobContext[] = [];
  return {
    retried,
    postponed,
    exhausted,
    completed,
    options: {
      ...extra,
      onRetry: (job, error) => {
        retried.push({ job, error });
      },
      onPostponed: (job, postponement) => {
        postponed.push({ job, postponement });
      },
      onExhausted: async (job, error) => {
        exhausted.push({ job, error });
      },
      onCompleted: (job) => {
        completed.push(job);
      },
    },
  };
}

export function jobQueueContract(name: string, make: () => Promise<JobQueueFixture>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let fixture: JobQueueFixture;
    let queue: JobQueue;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => {
      unhandled.push(reason);
    };

    beforeEach(async () => {
      unhandled.length = 0;
      process.on('unhandledRejection', onUnhandled);
      fixture = await make();
      queue = fixture.queue;
    });

    afterEach(async () => {
      await queue.close();
      await fixture.cleanup?.();
      process.off('unhandledRejection', onUnhandled);
      expect(unhandled).toEqual([]);
    });

    /** Enqueues a job and waits until it ran: the worker is then connected and polling. */
    async function warmUp(queueName: string, ran: () => number): Promise<void> {
      const before = ran();
      await queue.enqueue({ queue: queueName, name: 'warm-up', data: null });
      await waitFor(() => ran() > before, 'the warm-up job');
    }

    it('runs a job with its data and a first-attempt context', async () => {
      const seen: JobContext[] = [];
      const hooks = recordingHooks();
      await queue.process<{ greeting: string }>(
        'test.basic',
        async (job) => {
          seen.push(job);
        },
        hooks.options,
      );
      await queue.enqueue({
        queue: 'test.basic',
        name: 'greet',
        data: { greeting: 'hello' },
        options: { jobId: 'greet-1', attempts: 2 },
      });
      await queue.enqueue({ queue: 'test.basic', name: 'anonymous', data: [1, 2, 3] });
      await waitFor(() => seen.length === 2 && hooks.completed.length === 2, 'both jobs');

      const named = seen.find((job) => job.name === 'greet');
      expect(named).toEqual({
        id: 'greet-1',
        queue: 'test.basic',
        name: 'greet',
        data: { greeting: 'hello' },
        attempt: 1,
        maxAttempts: 2,
      });
      const anonymous = seen.find((job) => job.name === 'anonymous');
      expect(anonymous?.data).toEqual([1, 2, 3]);
      expect(anonymous?.id).toMatch(/\S/);
      expect(anonymous?.id).not.toBe('greet-1');
      expect(anonymous?.attempt).toBe(1);
      expect(anonymous?.maxAttempts).toBe(3); // the configured default
      expect(hooks.completed.map((job) => job.name).sort()).toEqual(['anonymous', 'greet']);
      expect(hooks.retried).toEqual([]);
      expect(hooks.exhausted).toEqual([]);
    });

    it('enqueues many jobs across queues at once', async () => {
      const seen: Array<[string, unknown]> = [];
      const handler = async (job: JobContext) => {
        seen.push([job.queue, job.data]);
      };
      await queue.process('test.many-a', handler);
      await queue.process('test.many-b', handler);
      await queue.enqueueMany([
        { queue: 'test.many-a', name: 'n', data: 1 },
        { queue: 'test.many-b', name: 'n', data: 2 },
        { queue: 'test.many-a', name: 'n', data: 3 },
        { queue: 'test.many-b', name: 'n', data: 4 },
      ]);
      await queue.enqueueMany([]);
      await waitFor(() => seen.length === 4, 'four jobs');
      expect(
        seen
          .filter(([q]) => q === 'test.many-a')
          .map(([, d]) => d)
          .sort(),
      ).toEqual([1, 3]);
      expect(
        seen
          .filter(([q]) => q === 'test.many-b')
          .map(([, d]) => d)
          .sort(),
      ).toEqual([2, 4]);
    });

    it('rejects a batch with an invalid job without enqueueing any of it', async () => {
      await expect(
        queue.enqueueMany([
          { queue: 'test.invalid', name: 'ok', data: 1 },
          { queue: 'test.invalid', name: 'bad', data: 2, options: { attempts: 0 } },
        ]),
      ).rejects.toThrow(/attempts/);
      await expect(queue.enqueue({ queue: 'test.invalid', name: 'bad', data: 1, options: { delayMs: -1 } })).rejects.toThrow(
        /delayMs/,
      );
      await expect(queue.enqueue({ queue: 'test.invalid', name: 'bad', data: 1, options: { jobId: '' } })).rejects.toThrow(
        /jobId/,
      );
      await expect(
        queue.enqueue({
          queue: 'test.invalid',
          name: 'bad',
          data: 1,
          options: { backoff: { type: 'fixed', delayMs: Number.NaN } },
        }),
      ).rejects.toThrow(/backoff/);
      expect(await queue.counts('test.invalid')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    });

    it('does not run a delayed job before its delay', async () => {
      const ran: string[] = [];
      await queue.process('test.delay', async (job) => {
        ran.push(job.name);
      });
      await warmUp('test.delay', () => ran.length);

      await queue.enqueue({ queue: 'test.delay', name: 'later', data: null, options: { delayMs: 400 } });
      await queue.enqueue({ queue: 'test.delay', name: 'now', data: null });
      await waitFor(() => ran.includes('now'), 'the immediate job');
      expect(ran).not.toContain('later');
      await waitFor(() => ran.includes('later'), 'the delayed job');
      expect(ran).toEqual(['warm-up', 'now', 'later']);
    });

    it('retries a failing job with backoff until it succeeds', async () => {
      const attempts: number[] = [];
      const hooks = recordingHooks();
      await queue.process(
        'test.retry',
        async (job) => {
          attempts.push(job.attempt);
          if (job.attempt < 3) throw new Error(`fail ${job.attempt}`);
        },
        hooks.options,
      );
      await queue.enqueue({ queue: 'test.retry', name: 'flaky', data: null, options: { attempts: 4, backoff: FAST_RETRY } });
      await waitFor(() => hooks.completed.length === 1, 'completion');

      expect(attempts).toEqual([1, 2, 3]);
      expect(hooks.retried.map(({ job, error }) => [job.attempt, job.maxAttempts, error.message])).toEqual([
        [1, 4, 'fail 1'],
        [2, 4, 'fail 2'],
      ]);
      expect(hooks.completed[0]?.attempt).toBe(3);
      expect(hooks.exhausted).toEqual([]);
    });

    it('waits longer between attempts with exponential backoff', async () => {
      const startedAt: number[] = [];
      const failedAt: number[] = [];
      const hooks = recordingHooks();
      await queue.process(
        'test.exponential',
        async (job) => {
          startedAt.push(Date.now());
          if (job.attempt < 3) {
            failedAt.push(Date.now());
            throw new Error('not yet');
          }
        },
        hooks.options,
      );
      await queue.enqueue({
        queue: 'test.exponential',
        name: 'x',
        data: null,
        options: { attempts: 3, backoff: { type: 'exponential', delayMs: 60 } },
      });
      await waitFor(() => hooks.completed.length === 1, 'completion');

      expect(startedAt).toHaveLength(3);
      // Lower bounds only (a retry must not come early); small tolerance for timer rounding.
      expect((startedAt[1] ?? 0) - (failedAt[0] ?? 0)).toBeGreaterThanOrEqual(55);
      expect((startedAt[2] ?? 0) - (failedAt[1] ?? 0)).toBeGreaterThanOrEqual(115);
    });

    it('reports an exhausted job once, with its last error, after maxAttempts', async () => {
      let runs = 0;
      const hooks = recordingHooks();
      await queue.process(
        'test.exhaust',
        async (job) => {
          runs += 1;
          throw new Error(`boom ${job.attempt}`);
        },
        hooks.options,
      );
      await queue.enqueue({
        queue: 'test.exhaust',
        name: 'doomed',
        data: { n: 1 },
        options: { jobId: 'doomed-1', attempts: 3, backoff: FAST_RETRY },
      });
      await waitFor(() => hooks.exhausted.length === 1, 'exhaustion');
      await waitFor(async () => (await queue.counts('test.exhaust')).failed === 1, 'the failed count');
      await sleep(100);

      expect(runs).toBe(3);
      expect(hooks.exhausted).toHaveLength(1);
      const [{ job, error }] = hooks.exhausted as [{ job: JobContext; error: Error }];
      expect(job).toMatchObject({ id: 'doomed-1', name: 'doomed', data: { n: 1 }, attempt: 3, maxAttempts: 3 });
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toBe('boom 3');
      expect(hooks.retried.map((call) => call.job.attempt)).toEqual([1, 2]);
      expect(hooks.completed).toEqual([]);
      expect(await queue.counts('test.exhaust')).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 1 });
    });

    it('does not retry a PermanentJobError', async () => {
      let runs = 0;
      const hooks = recordingHooks();
      await queue.process(
        'test.permanent',
        async () => {
          runs += 1;
          throw new PermanentJobError('unknown event version');
        },
        hooks.options,
      );
      await queue.enqueue({ queue: 'test.permanent', name: 'bad', data: null, options: { attempts: 5, backoff: FAST_RETRY } });
      await waitFor(() => hooks.exhausted.length === 1, 'exhaustion');
      await waitFor(async () => (await queue.counts('test.permanent')).failed === 1, 'the failed count');
      await sleep(100);

      expect(runs).toBe(1);
      expect(hooks.retried).toEqual([]);
      expect(hooks.exhausted[0]?.job.attempt).toBe(1);
      expect(isPermanentJobError(hooks.exhausted[0]?.error)).toBe(true);
      expect(hooks.exhausted[0]?.error.message).toBe('unknown event version');
    });

    it('runs a postponed job again after the delay, with the same attempt number', async () => {
      const DELAY = 150;
      const runs: Array<{ attempt: number; startedAt: number }> = [];
      const postponedAt: number[] = [];
      const hooks = recordingHooks();
      await queue.process(
        'test.postpone',
        async (job) => {
          runs.push({ attempt: job.attempt, startedAt: Date.now() });
          if (runs.length <= 2) {
            postponedAt.push(Date.now());
            throw new PostponeJob(DELAY, `circuit open ${runs.length}`);
          }
        },
        hooks.options,
      );
      // The retry backoff (20 ms) is much shorter than the postponement: a postponement
      // handled as a failed attempt would show up early.
      await queue.enqueue({
        queue: 'test.postpone',
        name: 'send',
        data: { n: 1 },
        options: { jobId: 'postponed-1', attempts: 3, backoff: FAST_RETRY },
      });
      await waitFor(() => hooks.completed.length === 1, 'completion');

      expect(runs.map((run) => run.attempt)).toEqual([1, 1, 1]);
      for (const [index, at] of postponedAt.entries()) {
        const rerunAt = runs[index + 1]?.startedAt ?? 0;
        // Never before the delay (1 ms of slack for timer and clock rounding); late is fine.
        expect(rerunAt - at).toBeGreaterThanOrEqual(DELAY - 1);
        expect(rerunAt - at).toBeLessThan(DELAY + 5_000);
      }
      expect(
        hooks.postponed.map(({ job, postponement }) => [
          job.id,
          job.attempt,
          job.maxAttempts,
          postponement.delayMs,
          postponement.message,
        ]),
      ).toEqual([
        ['postponed-1', 1, 3, DELAY, 'circuit open 1'],
        ['postponed-1', 1, 3, DELAY, 'circuit open 2'],
      ]);
      for (const { job, postponement } of hooks.postponed) {
        expect(job).toMatchObject({ queue: 'test.postpone', name: 'send', data: { n: 1 } });
        expect(postponement).toBeInstanceOf(PostponeJob);
        expect(isPostponeJob(postponement)).toBe(true);
      }
      expect(hooks.retried).toEqual([]);
      expect(hooks.exhausted).toEqual([]);
      expect(hooks.completed.map((job) => [job.id, job.attempt])).toEqual([['postponed-1', 1]]);
      await sleep(50);
      expect(hooks.completed).toHaveLength(1);
      expect(await queue.counts('test.postpone')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    });

    it('does not exhaust a job that is postponed more often than maxAttempts', async () => {
      const attempts: number[] = [];
      const hooks = recordingHooks();
      await queue.process(
        'test.postpone-many',
        async (job) => {
          attempts.push(job.attempt);
          if (attempts.length <= 4) throw new PostponeJob(50, 'not yet');
        },
        hooks.options,
      );
      await queue.enqueue({
        queue: 'test.postpone-many',
        name: 'patient',
        data: null,
        options: { attempts: 2, backoff: FAST_RETRY },
      });
      await waitFor(() => hooks.completed.length === 1, 'completion');

      expect(attempts).toEqual([1, 1, 1, 1, 1]);
      expect(hooks.postponed.map(({ job }) => job.attempt)).toEqual([1, 1, 1, 1]);
      expect(hooks.retried).toEqual([]);
      expect(hooks.exhausted).toEqual([]);
      expect(hooks.completed[0]).toMatchObject({ attempt: 1, maxAttempts: 2 });
      expect(await queue.counts('test.postpone-many')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    });

    it('keeps de-duplicating the id of a postponed job while it is delayed', async () => {
      const ran: Array<[string, unknown]> = [];
      const hooks = recordingHooks();
      await queue.process(
        'test.postpone-dedup',
        async (job) => {
          ran.push([job.id, job.data]);
          if (job.id === 'held' && ran.filter(([id]) => id === 'held').length === 1) throw new PostponeJob(200, 'held');
        },
        hooks.options,
      );
      await queue.enqueue({ queue: 'test.postpone-dedup', name: 'n', data: 'first', options: { jobId: 'held' } });
      await waitFor(() => hooks.postponed.length === 1, 'the postponement');
      await waitFor(async () => (await queue.counts('test.postpone-dedup')).delayed === 1, 'the job to be delayed');

      await queue.enqueue({ queue: 'test.postpone-dedup', name: 'n', data: 'second', options: { jobId: 'held' } });
      await queue.enqueueMany([{ queue: 'test.postpone-dedup', name: 'n', data: 'third', options: { jobId: 'held' } }]);
      expect(await queue.counts('test.postpone-dedup')).toEqual({ waiting: 0, active: 0, delayed: 1, failed: 0 });

      await waitFor(() => hooks.completed.length === 1, 'completion');
      // With concurrency 1 jobs run in order: once the sentinel ran, a duplicate would have too.
      await queue.enqueue({ queue: 'test.postpone-dedup', name: 'n', data: 'sentinel', options: { jobId: 'sentinel' } });
      await waitFor(() => hooks.completed.length === 2, 'the sentinel');
      await sleep(50);

      expect(ran).toEqual([
        ['held', 'first'],
        ['held', 'first'],
        ['sentinel', 'sentinel'],
      ]);
      expect(hooks.postponed).toHaveLength(1);
    });

    it('counts attempts as usual when a postponed job then fails', async () => {
      const attempts: number[] = [];
      const hooks = recordingHooks();
      await queue.process(
        'test.postpone-fail',
        async (job) => {
          attempts.push(job.attempt);
          if (attempts.length === 1) throw new PostponeJob(50, 'later');
          if (attempts.length === 2) throw new Error('real failure');
        },
        hooks.options,
      );
      await queue.enqueue({
        queue: 'test.postpone-fail',
        name: 'mixed',
        data: null,
        options: { attempts: 3, backoff: FAST_RETRY },
      });
      await waitFor(() => hooks.completed.length === 1, 'completion');

      expect(attempts).toEqual([1, 1, 2]);
      expect(hooks.postponed.map(({ job }) => job.attempt)).toEqual([1]);
      expect(hooks.retried.map(({ job, error }) => [job.attempt, error.message])).toEqual([[1, 'real failure']]);
      expect(hooks.completed[0]?.attempt).toBe(2);
      expect(hooks.exhausted).toEqual([]);
    });

    it('exhausts a postponed job only when its attempts really fail', async () => {
      let runs = 0;
      const hooks = recordingHooks();
      await queue.process(
        'test.postpone-exhaust',
        async () => {
          runs += 1;
          if (runs === 1) throw new PostponeJob(50, 'later');
          throw new Error('broken');
        },
        hooks.options,
      );
      await queue.enqueue({ queue: 'test.postpone-exhaust', name: 'single', data: null, options: { attempts: 1 } });
      await waitFor(() => hooks.exhausted.length === 1, 'exhaustion');
      await waitFor(async () => (await queue.counts('test.postpone-exhaust')).failed === 1, 'the failed count');
      await sleep(50);

      expect(runs).toBe(2);
      expect(hooks.postponed).toHaveLength(1);
      expect(hooks.retried).toEqual([]);
      expect(hooks.exhausted.map(({ job, error }) => [job.attempt, job.maxAttempts, error.message])).toEqual([[1, 1, 'broken']]);
      expect(hooks.completed).toEqual([]);
    });

    it('still postpones a job when onPostponed throws', async () => {
      let runs = 0;
      const completed: JobContext[] = [];
      await queue.process(
        'test.postpone-bad-hook',
        async () => {
          runs += 1;
          if (runs === 1) throw new PostponeJob(50, 'later');
        },
        {
          onPostponed: () => {
            throw new Error('onPostponed broke');
          },
          onCompleted: (job) => {
            completed.push(job);
          },
        },
      );
      await queue.enqueue({ queue: 'test.postpone-bad-hook', name: 'n', data: null, options: { attempts: 1 } });
      await waitFor(() => completed.length === 1, 'completion');
      expect(runs).toBe(2);
      expect(completed[0]?.attempt).toBe(1);
    });

    it('refuses a negative postponement, and tells a PostponeJob from other errors', () => {
      expect(() => new PostponeJob(-1, 'x')).toThrow(RangeError);
      expect(() => new PostponeJob(Number.NaN, 'x')).toThrow(RangeError);
      expect(() => new PostponeJob(Number.POSITIVE_INFINITY, 'x')).toThrow(RangeError);
      const postponement = new PostponeJob(0, 'circuit open');
      expect(postponement).toBeInstanceOf(Error);
      expect(postponement).toMatchObject({ name: 'PostponeJob', delayMs: 0, message: 'circuit open' });
      expect(isPostponeJob(postponement)).toBe(true);
      expect(isPostponeJob(new Error('x'))).toBe(false);
      expect(isPostponeJob(new PermanentJobError('x'))).toBe(false);
      expect(isPostponeJob(Object.assign(new Error('x'), { name: 'PostponeJob' }))).toBe(false); // no delayMs
      expect(isPostponeJob({ name: 'PostponeJob', delayMs: 10 })).toBe(false); // not an Error
      expect(isPostponeJob(undefined)).toBe(false);
    });

    it('treats a thrown non-Error as a failure', async () => {
      const hooks = recordingHooks();
      await queue.process(
        'test.throws-string',
        async () => {
          throw 'plain string';
        },
        hooks.options,
      );
      await queue.enqueue({ queue: 'test.throws-string', name: 's', data: null, options: { attempts: 1 } });
      await waitFor(() => hooks.exhausted.length === 1, 'exhaustion');
      expect(hooks.exhausted[0]?.error).toBeInstanceOf(Error);
      expect(hooks.exhausted[0]?.error.message).toBe('plain string');
    });

    it('survives hooks that throw or reject', async () => {
      const attempts: Array<[string, number]> = [];
      await queue.process(
        'test.bad-hooks',
        async (job) => {
          attempts.push([job.name, job.attempt]);
          if (job.name === 'fails' || (job.name === 'flaky' && job.attempt === 1)) throw new Error('handler');
        },
        {
          onRetry: () => {
            throw new Error('onRetry broke');
          },
          onExhausted: async () => {
            throw new Error('onExhausted broke');
          },
          onCompleted: () => {
            throw new Error('onCompleted broke');
          },
        },
      );
      await queue.enqueue({ queue: 'test.bad-hooks', name: 'fails', data: null, options: { attempts: 1 } });
      await queue.enqueue({ queue: 'test.bad-hooks', name: 'flaky', data: null, options: { attempts: 2, backoff: FAST_RETRY } });
      await queue.enqueue({ queue: 'test.bad-hooks', name: 'fine', data: null });
      await waitFor(async () => {
        const counts = await queue.counts('test.bad-hooks');
        return counts.failed === 1 && counts.waiting + counts.active + counts.delayed === 0;
      }, 'all jobs to finish');
      expect(attempts.sort()).toEqual([
        ['fails', 1],
        ['fine', 1],
        ['flaky', 1],
        ['flaky', 2],
      ]);
    });

    it('runs a job id once while it is pending, running or recently completed', async () => {
      const ran: Array<[string, unknown]> = [];
      // Enqueued before a worker exists: both copies are pending at the same time.
      await queue.enqueue({ queue: 'test.dedup', name: 'once', data: 'first', options: { jobId: 'dup-1' } });
      await queue.enqueue({ queue: 'test.dedup', name: 'once', data: 'second', options: { jobId: 'dup-1' } });
      await queue.enqueueMany([
        { queue: 'test.dedup', name: 'batch', data: 'a', options: { jobId: 'dup-2' } },
        { queue: 'test.dedup', name: 'batch', data: 'b', options: { jobId: 'dup-2' } },
      ]);
      expect((await queue.counts('test.dedup')).waiting).toBe(2);

      await queue.process('test.dedup', async (job) => {
        ran.push([job.id, job.data]);
      });
      await waitFor(() => ran.length === 2, 'the two distinct jobs');

      // After completion the id is still known: a re-enqueue is ignored.
      await queue.enqueue({ queue: 'test.dedup', name: 'once', data: 'third', options: { jobId: 'dup-1' } });
      // With concurrency 1 jobs run in order: once the sentinel ran, a duplicate would have too.
      await queue.enqueue({ queue: 'test.dedup', name: 'sentinel', data: 'sentinel', options: { jobId: 'sentinel' } });
      await waitFor(() => ran.some(([id]) => id === 'sentinel'), 'the sentinel');

      expect(ran).toEqual([
        ['dup-1', 'first'],
        ['dup-2', 'a'],
        ['sentinel', 'sentinel'],
      ]);
    });

    it('replaces a job that failed for good with replaceFailed, and never a live or completed one', async () => {
      const ran: Array<[string, unknown]> = [];
      let failNext = true;
      let release: (() => void) | undefined;
      const hooks = recordingHooks();
      await queue.process(
        'test.replace',
        async (job) => {
          ran.push([job.id, job.data]);
          if (job.data === 'fails') {
            if (failNext) {
              failNext = false;
              throw new Error('failed for good');
            }
          }
          if (job.data === 'slow') await new Promise<void>((resolve) => (release = resolve));
        },
        hooks.options,
      );
      // A completed job is not replaced: its work is done.
      await queue.enqueue({ queue: 'test.replace', name: 'j', data: 'done', options: { jobId: 'r-1' } });
      await waitFor(() => hooks.completed.length === 1, 'the first run');
      await queue.enqueue({ queue: 'test.replace', name: 'j', data: 'ignored', options: { jobId: 'r-1' } });
      await queue.enqueueMany([
        { queue: 'test.replace', name: 'j', data: 'again', options: { jobId: 'r-1', replaceFailed: true } },
      ]);
      // A job that failed for good (and is kept as failed) is replaced too.
      await queue.enqueue({ queue: 'test.replace', name: 'j', data: 'fails', options: { jobId: 'r-2', attempts: 1 } });
      await waitFor(() => hooks.exhausted.length === 1, 'the failure');
      await queue.enqueue({ queue: 'test.replace', name: 'j', data: 'fails', options: { jobId: 'r-2', replaceFailed: true } });
      await waitFor(() => hooks.completed.length === 2, 'the retried job');
      // A running job is not replaced: one run only.
      await queue.enqueue({ queue: 'test.replace', name: 'j', data: 'slow', options: { jobId: 'r-3' } });
      await waitFor(() => release !== undefined, 'the slow job to start');
      await queue.enqueue({ queue: 'test.replace', name: 'j', data: 'slow', options: { jobId: 'r-3', replaceFailed: true } });
      release?.();
      await waitFor(() => hooks.completed.length === 3, 'the slow job');
      await queue.enqueue({ queue: 'test.replace', name: 'sentinel', data: 'sentinel', options: { jobId: 'r-sentinel' } });
      await waitFor(() => hooks.completed.length === 4, 'the sentinel');
      expect(ran).toEqual([
        ['r-1', 'done'],
        ['r-2', 'fails'],
        ['r-2', 'fails'],
        ['r-3', 'slow'],
        ['r-sentinel', 'sentinel'],
      ]);
    });

    it('keeps job ids with any characters intact', async () => {
      const ids = ['order:42:paid', 'a:b', '42', '-7', '100%', '%3A', '%i9', 'plain-id'];
      const seen: string[] = [];
      await queue.process('test.ids', async (job) => {
        seen.push(job.id);
      });
      for (const jobId of ids) await queue.enqueue({ queue: 'test.ids', name: 'id', data: null, options: { jobId } });
      await waitFor(() => seen.length === ids.length, 'every job');
      for (const jobId of ids) await queue.enqueue({ queue: 'test.ids', name: 'id', data: null, options: { jobId } });
      await queue.enqueue({ queue: 'test.ids', name: 'id', data: null, options: { jobId: 'sentinel' } });
      await waitFor(() => seen.includes('sentinel'), 'the sentinel');
      expect(seen).toEqual([...ids, 'sentinel']);
    });

    it('runs at most `concurrency` jobs of a queue at a time', async () => {
      let active = 0;
      let maxActive = 0;
      let done = 0;
      const handler = async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await sleep(60);
        active -= 1;
        done += 1;
      };
      await queue.process('test.concurrency', handler, { concurrency: 3 });
      await queue.enqueueMany(Array.from({ length: 12 }, (_, i) => ({ queue: 'test.concurrency', name: 'work', data: i })));
      await waitFor(() => done === 12, 'twelve jobs');
      expect(maxActive).toBeLessThanOrEqual(3);
      expect(maxActive).toBeGreaterThan(1);

      active = 0;
      maxActive = 0;
      done = 0;
      await queue.process('test.serial', handler);
      await queue.enqueueMany(Array.from({ length: 4 }, (_, i) => ({ queue: 'test.serial', name: 'work', data: i })));
      await waitFor(() => done === 4, 'four jobs');
      expect(maxActive).toBe(1);
    });

    it('keeps jobs enqueued before process() until a handler is registered', async () => {
      await queue.enqueueMany([1, 2, 3].map((n) => ({ queue: 'test.early', name: 'early', data: n })));
      await sleep(100);
      expect(await queue.counts('test.early')).toMatchObject({ waiting: 3, active: 0 });

      const ran: unknown[] = [];
      await queue.process('test.early', async (job) => {
        ran.push(job.data);
      });
      await waitFor(() => ran.length === 3, 'the early jobs');
      await sleep(100);
      expect(ran.sort()).toEqual([1, 2, 3]);
      expect(await queue.counts('test.early')).toMatchObject({ waiting: 0, active: 0, delayed: 0 });
    });

    it('counts waiting, delayed and active jobs', async () => {
      await queue.enqueue({ queue: 'test.counts', name: 'w', data: 1 });
      await queue.enqueue({ queue: 'test.counts', name: 'w', data: 2 });
      await queue.enqueue({ queue: 'test.counts', name: 'd', data: 3, options: { delayMs: 60_000 } });
      expect(await queue.counts('test.counts')).toEqual<QueueCounts>({ waiting: 2, active: 0, delayed: 1, failed: 0 });
      expect(await queue.counts('test.unknown')).toEqual<QueueCounts>({ waiting: 0, active: 0, delayed: 0, failed: 0 });

      const release = deferred();
      let started = 0;
      await queue.process(
        'test.counts',
        async () => {
          started += 1;
          await release.promise;
        },
        { concurrency: 1 },
      );
      await waitFor(() => started === 1, 'the first job to start');
      expect(await queue.counts('test.counts')).toEqual<QueueCounts>({ waiting: 1, active: 1, delayed: 1, failed: 0 });
      release.resolve();
      await waitFor(() => started === 2, 'the second job to start');
    });

    it('refuses a second handler for the same queue and an invalid concurrency', async () => {
      await queue.process('test.twice', async () => {});
      await expect(queue.process('test.twice', async () => {})).rejects.toThrow(/already/);
      await expect(queue.process('test.zero', async () => {}, { concurrency: 0 })).rejects.toThrow(/concurrency/);
    });

    it('answers ping()', async () => {
      await expect(queue.ping()).resolves.toBeUndefined();
    });

    it('close() waits for a running job and starts no new one', async () => {
      const events: string[] = [];
      await queue.process(
        'test.close',
        async (job) => {
          events.push(`start ${job.name}`);
          await sleep(100);
          events.push(`end ${job.name}`);
        },
        { concurrency: 1 },
      );
      await queue.enqueue({ queue: 'test.close', name: 'first', data: null });
      await queue.enqueue({ queue: 'test.close', name: 'second', data: null });
      await queue.enqueue({ queue: 'test.close', name: 'delayed', data: null, options: { delayMs: 50 } });
      await waitFor(() => events.includes('start first'), 'the first job to start');

      await queue.close();
      expect(events).toEqual(['start first', 'end first']);
      await sleep(200);
      expect(events).toEqual(['start first', 'end first']);
      await expect(queue.enqueue({ queue: 'test.close', name: 'late', data: null })).rejects.toThrow();
      await expect(queue.process('test.other', async () => {})).rejects.toThrow();
      await expect(queue.close()).resolves.toBeUndefined();
    });

    it('close() stops waiting for a job that outlives the close timeout', async () => {
      const release = deferred();
      let started = false;
      let finished = false;
      await queue.process('test.stuck', async () => {
        started = true;
        await release.promise;
        finished = true;
      });
      await queue.enqueue({ queue: 'test.stuck', name: 'stuck', data: null });
      await waitFor(() => started, 'the job to start');

      await queue.close();
      expect(finished).toBe(false);
      release.resolve();
      await waitFor(() => finished, 'the job to end');
    });
  });
}
