/**
 * The worker entry point as operators start it: `npm run start:worker` (compiled JavaScript),
 * signalled through npm's own PID.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type AppProcess, startApp } from '../../../test/support/app-processes.js';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';

const apps: AppProcess[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.kill();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function worker(env: Record<string, string>): AppProcess {
  const app = startApp('worker', env);
  apps.push(app);
  return app;
}

describe('npm run start:worker', () => {
  it('refuses to start without PostgreSQL and Redis, naming both', async () => {
    const run = worker({});
    expect(await run.exited()).not.toBe(0);
    expect(run.output()).toMatch(/DATABASE_URL: is required when AURA_ROLE=worker/);
    expect(run.output()).toMatch(/REDIS_URL: is required when AURA_ROLE=worker/);
  });

  it.runIf(hasPostgres && hasRedis)('runs on PostgreSQL and Redis and stops cleanly when npm gets SIGTERM', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const run = worker({
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl ?? '',
      QUEUE_PREFIX: uniqueName('main'),
    });
    await run.waitFor(/"msg":"Aura worker running"/, 60_000);
    run.child.kill('SIGTERM');
    expect(await run.exited()).toBe(0);
    expect(run.output()).toMatch(/"msg":"worker shutting down"/);
  });
});
