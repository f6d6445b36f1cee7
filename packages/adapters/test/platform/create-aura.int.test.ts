import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Clock,
  ExecutionContext,
  type ExecutionScope,
  type JobContext,
  type JobProcessor,
  JobQueue,
  ModuleGraphInvalidError,
} from '@aura/application/platform';
import type { PGlite } from '@electric-sql/pglite';
import { ContainerModule, inject, injectable } from 'inversify';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuraModule } from '../../src/platform/aura-module.js';
import { configFrom } from '../../src/platform/config/config.js';
import { type Aura, type CreateAuraOptions, createAura } from '../../src/platform/create-aura.js';
import { type DatabaseHandle, openDatabase, openPglite } from '../../src/platform/db/database.js';
import { MigrationError } from '../../src/platform/db/migrate.js';
import { InMemoryJobQueue } from '../../src/platform/queue/in-memory-job-queue.js';
import { ledgerModule, OpenAccount } from '../fixtures/fixture-modules.js';
import { settle, waitUntil } from '../support/wait.js';

/** Counts how often a resource was closed, and lets the test see whether it still works. */
function tracked<T extends { close(): Promise<void> }>(resource: T): T & { closes: number } {
  const wrapper = resource as T & { closes: number };
  const close = resource.close.bind(resource);
  wrapper.closes = 0;
  wrapper.close = async () => {
    wrapper.closes += 1;
    await close();
  };
  return wrapper;
}

const newQueue = () =>
  tracked(new InMemoryJobQueue({ defaultAttempts: 2, defaultBackoff: { type: 'fixed', delayMs: 5 }, closeTimeoutMs: 500 }));

/** Records the execution scope each job ran in. */
@injectable()
class ScopeRecordingJob implements JobProcessor {
  static seen: Array<{ job: JobContext; scope: ExecutionScope | undefined }> = [];
  constructor(@inject(ExecutionContext) private readonly context: ExecutionContext) {}
  async process(job: JobContext) {
    ScopeRecordingJob.seen.push({ job, scope: this.context.current() });
  }
}

const scopedModule: AuraModule = {
  name: 'scoped',
  jobs: [{ queue: 'scoped.record', processor: ScopeRecordingJob }],
  containerModule: new ContainerModule(({ bind }) => {
    bind(ScopeRecordingJob).toSelf();
  }),
  migrations: {
    '2026_11_21_000000_scoped_things': {
      up: async (db) => {
        await sql`CREATE TABLE scoped.things (id integer PRIMARY KEY)`.execute(db);
      },
    },
  },
};

describe('createAura', () => {
  let template: PGlite;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    template = await openPglite('memory://');
  });
  afterAll(async () => {
    await template?.close();
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A fresh empty PGlite database, cheaply: a clone of one started once for the file. */
  async function freshDatabase(): Promise<DatabaseHandle & { closes: number }> {
    const database = tracked(await openDatabase({ kind: 'pglite', instance: (await template.clone()) as PGlite }));
    cleanups.push(async () => {
      if (database.closes === 0) await database.close();
    });
    return database;
  }

  async function start(options: Partial<CreateAuraOptions> = {}): Promise<Aura> {
    const aura = await createAura({ config: configFrom(), database: await freshDatabase(), queue: newQueue(), ...options });
    cleanups.push(() => aura.close());
    return aura;
  }

  it('refuses an invalid module graph before opening anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-never-'));
    const dataDir = join(dir, 'data');
    const queue = newQueue();
    try {
      const attempt = createAura({
        config: configFrom({ AURA_DATA_DIR: dataDir }),
        queue,
        modules: [{ name: 'therapy', dependsOn: ['users'] }, { name: 'platform' }],
      });
      const error = await attempt.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(ModuleGraphInvalidError);
      expect((error as ModuleGraphInvalidError).problems.map((p) => p.type).sort()).toEqual([
        'platform.duplicate_module',
        'platform.unknown_dependency',
      ]);
      expect((error as Error).message).toContain('module "therapy" depends on "users", which is not registered');
      expect(existsSync(dataDir)).toBe(false);
      expect(queue.closes).toBe(0);
    } finally {
      await queue.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('closes the database and the queue when a migration fails, and rethrows', async () => {
    const database = await freshDatabase();
    const queue = newQueue();
    const broken: AuraModule = {
      name: 'broken',
      migrations: {
        '2026_11_21_000000_broken_init': {
          up: async (db) => {
            await sql`CREATE TABLE broken.t (id nonexistent_type)`.execute(db);
          },
        },
      },
    };
    const error = await createAura({ config: configFrom(), database, queue, modules: [broken] }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/^migration 2026_11_21_000000_broken_init of module "broken" failed: /);
    expect(database.closes).toBe(1);
    expect(queue.closes).toBe(1);
    await expect(sql`SELECT 1`.execute(database.db)).rejects.toThrow();
    await expect(queue.enqueue({ queue: 'x.y', name: 'n', data: null })).rejects.toThrow(/closed/);
  });

  it('closes the database and the queue when a module fails to load, and rethrows', async () => {
    const database = await freshDatabase();
    const queue = newQueue();
    const failing: AuraModule = {
      name: 'failing',
      containerModule: new ContainerModule(() => {
        throw new Error('cannot bind');
      }),
    };
    await expect(createAura({ config: configFrom(), database, queue, modules: [failing] })).rejects.toThrow('cannot bind');
    expect(database.closes).toBe(1);
    expect(queue.closes).toBe(1);
  });

  it('is ready on a fresh database, with every module migrated, in dependency order', async () => {
    const lines: string[] = [];
    const aura = await start({
      config: configFrom({ LOG_LEVEL: 'info' }),
      modules: [{ name: 'after', dependsOn: ['scoped'] }, scopedModule],
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    expect(aura.modules.map((m) => m.name)).toEqual(['platform', 'scoped', 'after']);
    expect(await aura.readiness()).toEqual({
      status: 'up',
      checks: {
        database: { status: 'up', details: { kind: 'pglite' } },
        queue: { status: 'up', details: { kind: 'memory' } },
        'module:platform': { status: 'up' },
        'module:scoped': { status: 'up' },
        'module:after': { status: 'up' },
      },
    });
    const logged = lines.map((line) => JSON.parse(line) as { msg: string; migrations?: string[] });
    expect(logged.find((l) => l.msg === 'migrations applied')?.migrations).toEqual([
      '2026_11_21_000000_platform_outbox_inbox_dead_letters',
      '2026_11_21_000100_platform_idempotency_keys',
      '2026_12_04_000000_platform_outbox_claims',
      '2026_11_21_000000_scoped_things',
    ]);
  });

  it('does not migrate when told not to, and then reads as not ready', async () => {
    const aura = await start({ migrate: false, modules: [scopedModule] });
    const report = await aura.readiness();
    expect(report.status).toBe('down');
    expect(report.checks['module:scoped']).toEqual({
      status: 'down',
      details: { pendingMigrations: ['2026_11_21_000000_scoped_things'] },
    });
  });

  it('resolves services from its container and exposes the configured ones', async () => {
    const queue = newQueue();
    const aura = await start({ queue });
    expect(await aura.get(JobQueue)).toBe(queue);
    expect((await aura.get<Clock>(Clock)).now()).toBeInstanceOf(Date);
    expect(aura.config.NODE_ENV).toBe('test');
    const metrics = await aura.metrics.registry.metrics();
    expect(metrics).toMatch(/aura_outbox_backlog 0/);
    expect(metrics).toMatch(/aura_outbox_lag_seconds 0/);
    expect(metrics).toMatch(/aura_dead_letters 0/);
  });

  it('runs module jobs in a scope carrying their correlation id (or their own id), once started', async () => {
    ScopeRecordingJob.seen = [];
    const aura = await start({ modules: [scopedModule] });
    const worker = await aura.startWorker();
    expect(await aura.startWorker()).toBe(worker);
    const queue = await aura.get<JobQueue>(JobQueue);
    await queue.enqueue({ queue: 'scoped.record', name: 'with', data: { correlationId: 'corr-7' }, options: { jobId: 'j-1' } });
    await queue.enqueue({ queue: 'scoped.record', name: 'without', data: { other: 1 }, options: { jobId: 'j-2' } });
    await queue.enqueue({ queue: 'scoped.record', name: 'null', data: null, options: { jobId: 'j-3' } });
    await waitUntil(() => ScopeRecordingJob.seen.length === 3, 'three jobs ran');
    const scopes = Object.fromEntries(ScopeRecordingJob.seen.map(({ job, scope }) => [job.name, scope]));
    expect(scopes).toEqual({
      with: { correlationId: 'corr-7', causationId: 'j-1' },
      without: { correlationId: 'j-2', causationId: 'j-2' },
      null: { correlationId: 'j-3', causationId: 'j-3' },
    });
    expect(await aura.metrics.registry.metrics()).toMatch(/aura_jobs_total{queue="scoped.record",outcome="completed"} 3/);
  });

  it('postpones a job that meets a database outage, quietly and without using an attempt, and runs it after', async () => {
    class Outage implements JobProcessor {
      static runs: JobContext[] = [];
      async process(job: JobContext) {
        Outage.runs.push(job);
        if (Outage.runs.length <= 2)
          throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
      }
    }
    const module: AuraModule = {
      name: 'outage',
      jobs: [{ queue: 'outage.work', processor: Outage }],
      containerModule: new ContainerModule(({ bind }) => {
        bind(Outage).toSelf();
      }),
    };
    const lines: string[] = [];
    // Two attempts per job (newQueue): were the outage counted, the job would be a dead letter.
    const aura = await start({
      modules: [module],
      config: configFrom({ JOB_BACKOFF_MS: '5', LOG_LEVEL: 'info' }),
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    await aura.startWorker();
    await (await aura.get<JobQueue>(JobQueue)).enqueue({ queue: 'outage.work', name: 'w', data: {}, options: { jobId: 'o-1' } });
    await waitUntil(() => Outage.runs.length === 3, 'the job to run after the outage');
    expect(Outage.runs.map((job) => job.attempt)).toEqual([1, 1, 1]);
    const metrics = await aura.metrics.registry.metrics();
    expect(metrics).toMatch(/aura_jobs_total{queue="outage.work",outcome="postponed"} 2/);
    expect(metrics).toMatch(/aura_jobs_total{queue="outage.work",outcome="completed"} 1/);
    expect(metrics).toMatch(/aura_dead_letters 0/);
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).not.toContain('job postponed');
    expect(messages.filter((m) => m.startsWith('job '))).toEqual([]);
  });

  it('runs scheduled jobs at start and every interval, one job id per interval, until the worker stops', async () => {
    class Tick implements JobProcessor {
      static seen: JobContext[] = [];
      async process(job: JobContext) {
        Tick.seen.push(job);
      }
    }
    const ticking: AuraModule = {
      name: 'ticking',
      jobs: [{ queue: 'ticking.tick', processor: Tick, everyMs: 150 }],
      containerModule: new ContainerModule(({ bind }) => {
        bind(Tick).toSelf();
      }),
    };
    const aura = await start({ modules: [ticking] });
    const worker = await aura.startWorker();
    await waitUntil(() => Tick.seen.length >= 3, 'three ticks');
    await worker.stop();
    const count = Tick.seen.length;
    const slots = Tick.seen.map((job) => job.id);
    expect(new Set(slots).size).toBe(slots.length);
    for (const job of Tick.seen) {
      const data = job.data as { correlationId: string; scheduledFor: string };
      expect(job.id).toBe(`ticking.tick:${Date.parse(data.scheduledFor) / 150}`);
      expect(data.correlationId).toBe(`ticking.tick:${data.scheduledFor}`);
    }
    await settle(400);
    expect(Tick.seen.length).toBe(count);
  });

  it('shares one start between concurrent callers and one close between concurrent closers', async () => {
    const aura = await start({ modules: [ledgerModule] });
    const [a, b] = await Promise.all([aura.startWorker(), aura.startWorker()]);
    expect(a).toBe(b);
    const first = aura.close();
    expect(aura.close()).toBe(first);
    await first;
    const closedBeforeStart = await start({ modules: [ledgerModule] });
    await closedBeforeStart.close();
    await expect(closedBeforeStart.startWorker()).rejects.toThrow('Aura is closed');
  });

  it('stops relaying when the worker is stopped, while the use cases keep working', async () => {
    const aura = await start({ modules: [ledgerModule], config: configFrom({ OUTBOX_POLL_INTERVAL_MS: '20' }) });
    const worker = await aura.startWorker();
    await (await aura.get(OpenAccount)).execute({ owner: 'before-stop' });
    const published = async () =>
      (await aura.database.db.selectFrom('platform.outbox').select(['aggregate_id', 'published_at']).execute()).filter(
        (row) => row.published_at !== null,
      ).length;
    await waitUntil(async () => (await published()) === 1, 'the first event to be relayed');
    await worker.stop();
    expect((await (await aura.get(OpenAccount)).execute({ owner: 'after-stop' })).isOk()).toBe(true);
    await settle(200);
    expect(await published()).toBe(1);
  });

  it('reports an unreachable Redis as a queue that is down, and logs the outage once', async () => {
    const lines: string[] = [];
    const aura = await createAura({
      config: configFrom({ REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'warn' }),
      database: await freshDatabase(),
      logDestination: { write: (line: string) => void lines.push(line) },
    });
    cleanups.push(() => aura.close());
    const report = await aura.readiness();
    expect(report.status).toBe('down');
    expect(report.checks.queue).toEqual({ status: 'down', details: { error: expect.any(String) } });
    expect(report.checks.database?.status).toBe('up');
    await waitUntil(() => lines.length > 0, 'the outage to be logged');
    const logged = lines.map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(logged).toEqual([expect.objectContaining({ level: 'warn', msg: 'redis unavailable', dependency: 'redis' })]);
    expect(aura.outages.redis?.isDown).toBe(true);
  });

  it('installs the platform alone when given no modules', async () => {
    const aura = await createAura({ config: configFrom(), database: await freshDatabase(), queue: newQueue() });
    cleanups.push(() => aura.close());
    expect(aura.modules.map((m) => m.name)).toEqual(['platform']);
  });

  it('closes once: the queue, then the database, however often close() is called', async () => {
    const database = await freshDatabase();
    const queue = newQueue();
    const aura = await createAura({ config: configFrom(), database, queue });
    await aura.startWorker();
    await Promise.all([aura.close(), aura.close()]);
    await aura.close();
    expect(queue.closes).toBe(1);
    expect(database.closes).toBe(1);
    await expect(sql`SELECT 1`.execute(database.db)).rejects.toThrow();
  });
});
