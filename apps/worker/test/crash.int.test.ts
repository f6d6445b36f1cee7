import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { configFrom } from '../../../packages/adapters/src/platform/config/config.js';
import { createAura } from '../../../packages/adapters/src/platform/create-aura.js';
import {
  auditEntries,
  auditModule,
  ledgerModule,
  OpenAccount,
} from '../../../packages/adapters/test/fixtures/fixture-modules.js';
import { settle, waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';
import { type FixtureWorker, startFixtureWorker } from './support/processes.js';

const running: FixtureWorker[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const worker of running.splice(0)) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const start = (env: Record<string, string>) => {
  const worker = startFixtureWorker(env);
  running.push(worker);
  return worker;
};

describe('embedded mode (PGlite + in-memory queue): a process killed mid-handler loses nothing', () => {
  it('re-runs the interrupted delivery once after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // Embedded: no DATABASE_URL / REDIS_URL even when the test run has them (CI exports both).
    const env = {
      AURA_ROLE: 'all',
      AURA_DATA_DIR: dir,
      DATABASE_URL: '',
      REDIS_URL: '',
      OUTBOX_POLL_INTERVAL_MS: '20',
      JOB_BACKOFF_MS: '10',
    };

    const first = start({ ...env, FIXTURE_OPEN: 'hang-1', FIXTURE_HANG: 'hang-1' });
    await first.waitFor(/^handling hang-1$/);
    first.child.kill('SIGKILL');
    await first.exited();

    const second = start({ ...env, FIXTURE_EXPECT: 'hang-1' });
    const result = await second.waitFor(/^result /);
    expect(JSON.parse(result.slice('result '.length))).toEqual({ 'hang-1': 2 });
    expect(await second.exited()).toBe(0);
  });
});

describe.runIf(hasPostgres && hasRedis)('production mode (PostgreSQL + BullMQ): several worker processes', () => {
  async function production() {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const env = {
      AURA_ROLE: 'worker',
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl ?? '',
      QUEUE_PREFIX: uniqueName('crash'),
      OUTBOX_POLL_INTERVAL_MS: '20',
      JOB_BACKOFF_MS: '10',
      JOB_LOCK_DURATION_MS: '1000',
    };
    // The test's own Aura plays the HTTP process: it commits, and it reads the results.
    const aura = await createAura({ config: configFrom(env), modules: [ledgerModule, auditModule()] });
    cleanups.push(() => aura.close());
    return { env, aura, open: async (owner: string) => (await (await aura.get(OpenAccount)).execute({ owner }))._unsafeUnwrap() };
  }

  it('hands the job of a worker killed mid-handler to another worker, which runs it once', async () => {
    const { env, aura, open } = await production();
    const doomed = start({ ...env, FIXTURE_HANG: 'hang-2' });
    await doomed.waitFor(/^ready$/);
    await open('hang-2');
    await doomed.waitFor(/^handling hang-2$/);
    doomed.child.kill('SIGKILL');
    await doomed.exited();

    const survivor = start(env);
    await survivor.waitFor(/^handled hang-2$/);
    await waitUntil(async () => (await auditEntries(aura.database.db)).length === 2, 'both subscribers handled it', 20_000);
    await settle(1_500);
    const entries = await auditEntries(aura.database.db);
    expect(entries.map((e) => e.subscriber).sort()).toEqual(['audit.flaky', 'audit.record-opened']);
  });

  it('shares events between two worker processes without handling any twice', async () => {
    const { env, aura, open } = await production();
    const a = start(env);
    const b = start(env);
    await Promise.all([a.waitFor(/^ready$/), b.waitFor(/^ready$/)]);
    const owners = Array.from({ length: 40 }, (_, i) => `owner-${i}`);
    await Promise.all(owners.map(open));
    await waitUntil(async () => (await auditEntries(aura.database.db)).length === 80, 'all deliveries', 30_000);
    await settle(500);
    const entries = await auditEntries(aura.database.db);
    expect(entries).toHaveLength(80);
    expect(new Set(entries.map((e) => `${e.owner}/${e.subscriber}`)).size).toBe(80);
    const handledBy = (w: FixtureWorker) => (w.output().match(/^handled /gm) ?? []).length;
    expect(handledBy(a) + handledBy(b)).toBe(40);
    expect(handledBy(a)).toBeGreaterThan(0);
    expect(handledBy(b)).toBeGreaterThan(0);
  });

  it('finishes the job in flight on SIGTERM before exiting', async () => {
    const { env, aura, open } = await production();
    const worker = start({ ...env, FIXTURE_SLOW_MS: '1000' });
    await worker.waitFor(/^ready$/);
    await open('slow-1');
    await worker.waitFor(/^handling slow-1$/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited()).toBe(0);
    expect(worker.output()).toMatch(/handled slow-1\n[\s\S]*stopped/);
    const entries = await auditEntries(aura.database.db, 'audit.record-opened');
    expect(entries.map((e) => e.owner)).toEqual(['slow-1']);
  });
});
