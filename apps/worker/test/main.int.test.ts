import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Runs `apps/worker/src/main.ts` the way `npm run start:worker` does. */
function worker(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=aura-source', '--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const printed = async (pattern: RegExp) => {
    for (let i = 0; i < 600 && !pattern.test(out); i++) {
      if (child.exitCode !== null) throw new Error(`exited early:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (!pattern.test(out)) throw new Error(`never printed ${pattern}:\n${out}`);
  };
  return { child, output: () => out, exited, printed };
}

describe('npm run start:worker', () => {
  it('refuses to start without PostgreSQL and Redis, naming both', async () => {
    const run = worker({});
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/DATABASE_URL: is required when AURA_ROLE=worker/);
    expect(run.output()).toMatch(/REDIS_URL: is required when AURA_ROLE=worker/);
  });

  it.runIf(hasPostgres && hasRedis)('runs on PostgreSQL and Redis and stops cleanly on SIGTERM', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const run = worker({
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl ?? '',
      QUEUE_PREFIX: uniqueName('main'),
    });
    await run.printed(/"msg":"Aura worker running"/);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/"msg":"worker shutting down"/);
  });
});
