/**
 * The HTTP entry point as operators start it: through the npm scripts the README documents
 * (`npm start`, `npm run start:http`), which run the compiled JavaScript, with signals sent to
 * the launcher's own PID (npm), not to node's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../../../packages/adapters/test/support/wait.js';
import { type AppProcess, listeningUrl, startApp } from '../../../test/support/app-processes.js';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';
import { testSigningKey } from '../../../test/support/signing-key.js';

const apps: AppProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.kill();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function start(...args: Parameters<typeof startApp>): AppProcess {
  const app = startApp(...args);
  apps.push(app);
  return app;
}

/** The PIDs of a process's children (npm's: the node it started). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start (embedded: PGlite + in-memory queue)', () => {
  it('starts compiled JavaScript with no services, is ready, and stops cleanly when npm gets SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-main-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const app = start('all', { AURA_DATA_DIR: dir, PORT: '0' });
    const url = await listeningUrl(app, 60_000);
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'up',
      checks: { database: { status: 'up', details: { kind: 'pglite' } } },
    });
    expect(app.output()).toMatch(/"msg":"worker started"/);
    // npm ran `exec node apps/http/dist/main.js`: its one child is node itself, not a shell.
    const [node] = childrenOf(app.child.pid as number);
    expect(execFileSync('ps', ['-o', 'args=', '-p', String(node)], { encoding: 'utf8' })).toMatch(
      /node apps\/http\/dist\/main\.js/,
    );
    app.child.kill('SIGTERM');
    expect(await app.exited()).toBe(0);
    expect(app.output()).toMatch(/"msg":"stopped"/);
    expect(isRunning(node as number)).toBe(false);
  });

  it('refuses to start on bad configuration, naming each variable', async () => {
    const app = start('all', { PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(await app.exited()).not.toBe(0);
    expect(app.output()).toMatch(/invalid configuration:/);
    expect(app.output()).toMatch(/PORT: must be a whole number from 0 to 65535 \(got "eighty"\)/);
    expect(app.output()).toMatch(/LOG_LEVEL:/);
    expect(app.output()).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it('refuses the http role without DATABASE_URL, since PGlite serves one process', async () => {
    const app = start('http', {});
    expect(await app.exited()).not.toBe(0);
    expect(app.output()).toMatch(/DATABASE_URL: is required when AURA_ROLE=http/);
  });
});

describe.runIf(hasPostgres && hasRedis)('npm run start:http (production role on PostgreSQL and Redis)', () => {
  it('serves in production mode without a worker, and on SIGTERM to npm finishes every request in flight before exiting', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const app = start('http', {
      NODE_ENV: 'production',
      PORT: '0',
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl ?? '',
      QUEUE_PREFIX: uniqueName('main'),
      AUTH_SIGNING_KEY: await testSigningKey(),
      AUTH_RATE_LIMIT_MAX: '1000',
      // Required in production; never contacted by this test.
      SMTP_URL: 'smtp://127.0.0.1:2525',
    });
    const url = await listeningUrl(app, 60_000);
    const ready = await (await fetch(`${url}/health/ready`)).json();
    expect(ready).toMatchObject({
      status: 'up',
      checks: { database: { details: { kind: 'postgres' } }, queue: { details: { kind: 'redis' } } },
    });
    expect(app.output()).not.toMatch(/worker started/);
    const [node] = childrenOf(app.child.pid as number);

    // Registrations take at least 250 ms each (their timing floor): 20 of them are in flight
    // when the launcher is told to stop.
    const registrations = Array.from({ length: 20 }, (_, i) =>
      fetch(`${url}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `in-flight-${i}.${uniqueName('x').slice(2)}@example.com`,
          password: 'correct horse battery staple violet',
          displayName: 'In Flight',
        }),
      }),
    );
    await waitUntil(
      async () => /aura_http_requests_in_flight (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] === '21',
      '20 registrations in flight (and this scrape)',
    );
    app.child.kill('SIGTERM');
    const answered = await Promise.all(registrations);
    expect(answered.map((res) => res.status)).toEqual(Array(20).fill(201));
    expect(await app.exited()).toBe(0);
    expect(app.output()).toMatch(/"signal":"SIGTERM","msg":"shutting down"/);
    expect(app.output()).toMatch(/"msg":"stopped"/);
    expect(isRunning(node as number)).toBe(false);
    // Once stopped, nothing listens.
    await expect(fetch(`${url}/health/live`)).rejects.toThrow();
  });
});
