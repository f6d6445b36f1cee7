import { createServer, type Server, type Socket } from 'node:net';
import type { BackoffPolicy, JobContext } from '@aura/application';
import { describe, expect, it } from 'vitest';
import { hasRedis, redisUrl, uniqueName } from '../../../../../test/support/services.js';
import { BullmqJobQueue, type BullmqJobQueueOptions } from '../../../src/platform/queue/bullmq-job-queue.js';
import { InMemoryJobQueue } from '../../../src/platform/queue/in-memory-job-queue.js';
import { jobQueueContract } from './job-queue.contract.js';

const FAST_RETRY: BackoffPolicy = { type: 'fixed', delayMs: 20 };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

jobQueueContract('InMemoryJobQueue', async () => ({
  queue: new InMemoryJobQueue({ defaultAttempts: 3, defaultBackoff: FAST_RETRY, closeTimeoutMs: 1_000 }),
}));

describe('InMemoryJobQueue', () => {
  function make(options: { completedRetentionMs?: number; failedRetentionMs?: number } = {}) {
    return new InMemoryJobQueue({ defaultAttempts: 1, defaultBackoff: FAST_RETRY, closeTimeoutMs: 1_000, ...options });
  }

  it('forgets a finished job id after the retention window', async () => {
    const queue = make({ completedRetentionMs: 400, failedRetentionMs: 400 });
    const ran: string[] = [];
    await queue.process('test.retention', async (job) => {
      ran.push(job.name);
      if (job.name === 'fails') throw new Error('nope');
    });
    await queue.enqueue({ queue: 'test.retention', name: 'ok', data: null, options: { jobId: 'ok' } });
    await queue.enqueue({ queue: 'test.retention', name: 'fails', data: null, options: { jobId: 'fails' } });
    await waitFor(() => ran.length === 2, 'both jobs');
    expect((await queue.counts('test.retention')).failed).toBe(1);

    await sleep(500);
    expect((await queue.counts('test.retention')).failed).toBe(0);
    await queue.enqueue({ queue: 'test.retention', name: 'ok', data: null, options: { jobId: 'ok' } });
    await queue.enqueue({ queue: 'test.retention', name: 'fails', data: null, options: { jobId: 'fails' } });
    await waitFor(() => ran.length === 4, 'both jobs again');
    expect(ran).toEqual(['ok', 'fails', 'ok', 'fails']);
    await queue.close();
  });

  it('retains at most 10 000 finished job ids per queue', async () => {
    const queue = make();
    let ran = 0;
    await queue.process('test.cap', async () => {
      ran += 1;
    });
    await queue.enqueueMany(
      Array.from({ length: 10_001 }, (_, i) => ({ queue: 'test.cap', name: 'n', data: i, options: { jobId: `id-${i}` } })),
    );
    await waitFor(() => ran === 10_001, 'every job');
    await queue.enqueue({ queue: 'test.cap', name: 'n', data: null, options: { jobId: 'id-0' } }); // evicted: runs again
    await queue.enqueue({ queue: 'test.cap', name: 'n', data: null, options: { jobId: 'id-1' } }); // still retained
    await waitFor(() => ran === 10_002, 'the evicted id');
    await sleep(20);
    expect(ran).toBe(10_002);
    await queue.close();
  });

  it('does not start a job picked just before close()', async () => {
    const queue = make();
    let ran = 0;
    await queue.process('test.race', async () => {
      ran += 1;
    });
    const enqueued = queue.enqueue({ queue: 'test.race', name: 'n', data: null });
    const closed = queue.close();
    await enqueued;
    await closed;
    await sleep(20);
    expect(ran).toBe(0);
    expect(await queue.counts('test.race')).toMatchObject({ waiting: 1, active: 0 });
  });

  it('drops a retry that falls due after close()', async () => {
    const queue = make();
    const retried: JobContext[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    await queue.process(
      'test.retry-on-close',
      async () => {
        runs += 1;
        await gate;
        throw new Error('after close');
      },
      { onRetry: (job) => retried.push(job) },
    );
    await queue.enqueue({ queue: 'test.retry-on-close', name: 'n', data: null, options: { attempts: 3 } });
    await waitFor(() => runs === 1, 'the job to start');
    const closed = queue.close();
    release();
    await closed;
    await sleep(50);
    expect(runs).toBe(1);
    expect(retried.map((job) => job.attempt)).toEqual([1]);
    expect(await queue.counts('test.retry-on-close')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  });
});

describe.runIf(hasRedis)('BullmqJobQueue', () => {
  const url = redisUrl ?? '';

  function make(overrides: Partial<BullmqJobQueueOptions> = {}): BullmqJobQueue {
    return new BullmqJobQueue({
      url,
      prefix: uniqueName('bq'),
      defaultAttempts: 3,
      defaultBackoff: FAST_RETRY,
      closeTimeoutMs: 1_000,
      ...overrides,
    });
  }

  jobQueueContract('BullmqJobQueue', async () => ({ queue: make() }));

  it('runs each job exactly once across several worker processes', async () => {
    const prefix = uniqueName('bq');
    const instances = [make({ prefix }), make({ prefix })];
    const runs = new Map<string, Array<{ instance: number; start: number; end: number }>>();
    const running = new Set<string>();
    const perInstance = [0, 0];
    let overlaps = 0;
    let finished = 0;

    for (const [index, instance] of instances.entries()) {
      await instance.process(
        'test.shared',
        async (job) => {
          if (running.has(job.id)) overlaps += 1;
          running.add(job.id);
          const start = performance.now();
          await sleep(2 + Math.random() * 10);
          running.delete(job.id);
          const list = runs.get(job.id) ?? [];
          list.push({ instance: index, start, end: performance.now() });
          runs.set(job.id, list);
          perInstance[index] = (perInstance[index] ?? 0) + 1;
          finished += 1;
        },
        { concurrency: 4 },
      );
    }
    const ids = Array.from({ length: 200 }, (_, i) => `job-${i}`);
    await instances[0]?.enqueueMany(
      ids.map((jobId, i) => ({ queue: 'test.shared', name: 'shared', data: i, options: { jobId } })),
    );
    await waitFor(() => finished >= 200, 'all 200 jobs');
    await sleep(200); // room for any duplicate run to show up

    expect(finished).toBe(200);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    for (const id of ids) expect(runs.get(id), id).toHaveLength(1);
    expect(overlaps).toBe(0);
    expect(perInstance.every((count) => count > 0)).toBe(true);
    expect(await instances[1]?.counts('test.shared')).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    await Promise.all(instances.map((instance) => instance.close()));
  });

  it('ping() rejects quickly when Redis is unreachable, and reports connection errors', async () => {
    const errors: Error[] = [];
    const queue = make({ url: 'redis://127.0.0.1:1', onError: (error) => errors.push(error) });
    // The test's own timeout bounds how long this may take; no wall-clock assertion here.
    await expect(queue.ping()).rejects.toThrow();
    expect(errors.length).toBeGreaterThan(0);
    await queue.close();
  });

  it('ping() gives up on a server that never answers', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const queue = make({ url: `redis://127.0.0.1:${port}`, pingTimeoutMs: 300 });
    try {
      await expect(queue.ping()).rejects.toThrow(/within 300 ms/);
    } finally {
      await queue.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ping() and counts() reject after close(), and close() of an unused queue resolves', async () => {
    const used = make();
    await used.ping();
    await used.close();
    await expect(used.ping()).rejects.toThrow(/closed/);
    await expect(used.counts('test.any')).rejects.toThrow(/closed/);
    await expect(make().close()).resolves.toBeUndefined();
  });
});
