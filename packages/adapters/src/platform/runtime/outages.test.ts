import type { LogFields, Logger } from '@aura/application/platform';
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../../test/support/wait.js';
import { AuraMetrics } from '../observability/metrics.js';
import {
  type DependencyMonitors,
  DependencyUnavailableError,
  isRedisConnectionError,
  OutageMonitor,
  reportIfUnavailable,
  unavailableDependency,
} from './outages.js';

class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; message: string; fields: LogFields | undefined }> = [];
  debug(message: string, fields?: LogFields) {
    this.lines.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields) {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields) {
    this.lines.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields) {
    this.lines.push({ level: 'error', message, fields });
  }
  child() {
    return this;
  }
  messages(level?: string) {
    return this.lines.filter((l) => level === undefined || l.level === level).map((l) => l.message);
  }
}

const metrics = () =>
  new AuraMetrics(
    { outbox: async () => ({ backlog: 0, oldestAgeSeconds: 0 }), parkedDeadLetters: async () => 0 },
    { defaultMetrics: false },
  );
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('unavailableDependency', () => {
  it('names the database for node-postgres connection failures and server shutdowns', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('the database system is in recovery mode', '57P02'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('wrapped', { cause: withCode('connect ECONNREFUSED', 'ECONNREFUSED') }),
    ]) {
      expect(unavailableDependency(error), error.message).toBe('database');
    }
  });

  it('names the dependency a tagged error carries', () => {
    expect(unavailableDependency(new DependencyUnavailableError('redis', new Error('Connection is closed.')))).toBe('redis');
    expect(new DependencyUnavailableError('redis', 'down').message).toBe('redis unavailable: down');
  });

  it('is undefined for everything that is not an outage', () => {
    for (const error of [
      new Error('boom'),
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('conflicting key value violates exclusion constraint', '23P01'),
      withCode('syntax error', '42601'),
      'a string',
      null,
      undefined,
      { code: 42 },
    ]) {
      expect(unavailableDependency(error)).toBeUndefined();
    }
  });
});

describe('isRedisConnectionError', () => {
  it('recognises what ioredis and BullMQ say when Redis is away', () => {
    for (const error of [
      Object.assign(new Error('Reached the max retries per request limit (which is 1).'), { name: 'MaxRetriesPerRequestError' }),
      new Error('Connection is closed.'),
      new Error('Command timed out'),
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      withCode('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'),
      new Error('connect ECONNREFUSED 127.0.0.1:6379'),
      new DependencyUnavailableError('redis', 'x'),
    ]) {
      expect(isRedisConnectionError(error), error.message).toBe(true);
    }
    expect(isRedisConnectionError(new Error('ERR unknown command'))).toBe(false);
    expect(isRedisConnectionError(new DependencyUnavailableError('database', 'x'))).toBe(false);
  });
});

describe('OutageMonitor', () => {
  it('confirms a failure with a probe: a single dropped connection is no outage', async () => {
    const logger = new RecordingLogger();
    let probes = 0;
    const monitor = new OutageMonitor({ dependency: 'database', logger, metrics: metrics(), probe: async () => void probes++ });
    monitor.reportFailure(new Error('Connection terminated unexpectedly'));
    monitor.reportFailure(new Error('Connection terminated unexpectedly'));
    await waitUntil(async () => logger.lines.length > 0, 'the probe to answer');
    expect(probes).toBe(1);
    expect(monitor.isDown).toBe(false);
    expect(logger.messages()).toEqual(['a database connection failed, and the database answers']);
    expect(logger.lines[0]?.level).toBe('debug');
    monitor.close();
  });

  it('logs an outage once when it starts and once when it ends, probing with backoff meanwhile', async () => {
    const logger = new RecordingLogger();
    const registry = metrics();
    let up = false;
    let probes = 0;
    const monitor = new OutageMonitor({
      dependency: 'redis',
      logger,
      metrics: registry,
      probeIntervalMs: 5,
      maxProbeIntervalMs: 20,
      probe: async () => {
        probes += 1;
        if (!up) throw new Error('ECONNREFUSED');
      },
    });
    for (let i = 0; i < 50; i++) monitor.reportFailure(new Error(`failure ${i}`));
    await waitUntil(async () => monitor.isDown, 'the outage to be confirmed');
    for (let i = 0; i < 50; i++) monitor.reportFailure(new Error('still down'));
    await waitUntil(async () => probes >= 5, 'several probes');
    expect(await registry.registry.metrics()).toMatch(/aura_dependency_up\{dependency="redis"\} 0/);
    up = true;
    await waitUntil(async () => !monitor.isDown, 'the recovery');
    expect(logger.messages()).toEqual(['redis unavailable', 'redis available again']);
    expect(logger.lines[0]).toMatchObject({ level: 'warn', fields: { dependency: 'redis', error: 'failure 0' } });
    expect(logger.lines[1]).toMatchObject({ level: 'info', fields: { dependency: 'redis', failuresDuringOutage: 51 } });
    const text = await registry.registry.metrics();
    expect(text).toMatch(/aura_dependency_up\{dependency="redis"\} 1/);
    expect(text).toMatch(/aura_dependency_outages_total\{dependency="redis"\} 1/);
    monitor.close();
  });

  it('stops probing and ignores failures once closed', async () => {
    const logger = new RecordingLogger();
    let probes = 0;
    const monitor = new OutageMonitor({
      dependency: 'database',
      logger,
      metrics: metrics(),
      probeIntervalMs: 5,
      probe: async () => {
        probes += 1;
        throw new Error('down');
      },
    });
    monitor.reportFailure(new Error('down'));
    await waitUntil(async () => monitor.isDown, 'the outage');
    monitor.close();
    const seen = probes;
    monitor.reportFailure(new Error('after close'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(probes).toBe(seen);
    expect(logger.messages()).toEqual(['database unavailable']);
  });

  it('reportIfUnavailable routes an error to its dependency, and says when it is no outage', async () => {
    const logger = new RecordingLogger();
    const failing = (dependency: 'database' | 'redis') =>
      new OutageMonitor({ dependency, logger, metrics: metrics(), probe: async () => Promise.reject(new Error('down')) });
    const monitors: DependencyMonitors = { database: failing('database'), redis: failing('redis') };
    expect(reportIfUnavailable(monitors, new Error('a bug'))).toBeUndefined();
    expect(reportIfUnavailable(monitors, withCode('x', '57P01'))).toBe('database');
    expect(reportIfUnavailable(monitors, new DependencyUnavailableError('redis', 'x'))).toBe('redis');
    await waitUntil(async () => monitors.database.isDown && monitors.redis?.isDown === true, 'both outages');
    expect(
      reportIfUnavailable({ database: monitors.database, redis: undefined }, new DependencyUnavailableError('redis', 'x')),
    ).toBe('redis');
    monitors.database.close();
    monitors.redis?.close();
  });
});
