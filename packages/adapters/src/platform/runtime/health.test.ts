import type { HealthIndicator, HealthReport, JobQueue } from '@aura/application/platform';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryJobQueue } from '../queue/in-memory-job-queue.js';
import { checkReadiness, QueueHealth } from './health.js';

const indicator = (name: string, check: () => Promise<HealthReport>): HealthIndicator => ({ name, check });
const up = (name: string, details?: Record<string, unknown>) =>
  indicator(name, async () => (details === undefined ? { status: 'up' } : { status: 'up', details }));
const down = (name: string) => indicator(name, async () => ({ status: 'down', details: { error: 'unreachable' } }));
const hanging = (name: string) => indicator(name, () => new Promise<HealthReport>(() => {}));

describe('checkReadiness', () => {
  it('is up when every indicator is, and reports each by name', async () => {
    const report = await checkReadiness([up('database', { kind: 'pglite' }), up('queue')]);
    expect(report).toEqual({
      status: 'up',
      checks: { database: { status: 'up', details: { kind: 'pglite' } }, queue: { status: 'up' } },
    });
  });

  it('is up with nothing to check', async () => {
    expect(await checkReadiness([])).toEqual({ status: 'up', checks: {} });
  });

  it('is down when any indicator is down, and still reports the others', async () => {
    const report = await checkReadiness([up('database'), down('queue'), up('module:users')]);
    expect(report.status).toBe('down');
    expect(report.checks).toEqual({
      database: { status: 'up' },
      queue: { status: 'down', details: { error: 'unreachable' } },
      'module:users': { status: 'up' },
    });
  });

  it('reads an indicator that does not answer in time as down, without waiting for it', async () => {
    const report = await checkReadiness([up('database'), hanging('queue')], 30);
    expect(report).toEqual({
      status: 'down',
      checks: { database: { status: 'up' }, queue: { status: 'down', details: { error: 'no answer within 30 ms' } } },
    });
  });

  it('reads an indicator that throws as down instead of failing the whole report', async () => {
    const rejecting = indicator('rejects', async () => {
      throw new Error('connection refused');
    });
    const throwing: HealthIndicator = {
      name: 'throws',
      check() {
        throw 'not even an Error';
      },
    };
    const report = await checkReadiness([up('database'), rejecting, throwing], 1_000);
    expect(report).toEqual({
      status: 'down',
      checks: {
        database: { status: 'up' },
        rejects: { status: 'down', details: { error: 'connection refused' } },
        throws: { status: 'down', details: { error: 'not even an Error' } },
      },
    });
  });

  it('is up exactly when every report is up', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string(), fc.boolean()), { selector: ([name]) => name, maxLength: 8 }),
        async (states) => {
          const report = await checkReadiness(states.map(([name, ok]) => (ok ? up(name) : down(name))));
          expect(report.status).toBe(states.every(([, ok]) => ok) ? 'up' : 'down');
          expect(Object.keys(report.checks).sort()).toEqual(states.map(([name]) => name).sort());
        },
      ),
    );
  });
});

describe('QueueHealth', () => {
  it('is up, naming the kind of queue, when the queue answers a ping', async () => {
    const queue = new InMemoryJobQueue({
      defaultAttempts: 1,
      defaultBackoff: { type: 'fixed', delayMs: 1 },
      closeTimeoutMs: 100,
    });
    const health = new QueueHealth(queue, 'memory');
    expect(health.name).toBe('queue');
    expect(await health.check()).toEqual({ status: 'up', details: { kind: 'memory' } });
    await queue.close();
  });

  it('is down with the error when the ping fails', async () => {
    const failing = (thrown: unknown) => ({ ping: () => Promise.reject(thrown) }) as unknown as JobQueue;
    expect(await new QueueHealth(failing(new Error('ECONNREFUSED')), 'redis').check()).toEqual({
      status: 'down',
      details: { error: 'ECONNREFUSED' },
    });
    expect(await new QueueHealth(failing('gone'), 'redis').check()).toEqual({ status: 'down', details: { error: 'gone' } });
  });
});
