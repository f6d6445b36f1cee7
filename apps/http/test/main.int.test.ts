import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresDatabase, hasPostgres, hasRedis, redisUrl, uniqueName } from '../../../test/support/services.js';
import { testSigningKey } from '../../../test/support/signing-key.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs `apps/http/src/main.ts` the way `npm start` does. */
function main(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=aura-source', '--import', 'tsx', 'apps/http/src/main.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const listening = async () => {
    for (let i = 0; i < 600; i++) {
      const url = /Aura listening on (http:\/\/[^"]+)"/.exec(out)?.[1];
      if (url) return url;
      if (child.exitCode !== null) throw new Error(`exited early:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`never listened:\n${out}`);
  };
  return { child, output: () => out, exited, listening };
}

describe('npm start (embedded: PGlite + in-memory queue)', () => {
  it('starts with no services, is ready, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aura-main-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const app = main({ AURA_DATA_DIR: dir });
    const url = await app.listening();
    const ready = await fetch(`${url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'up',
      checks: { database: { status: 'up', details: { kind: 'pglite' } } },
    });
    expect(app.output()).toMatch(/"msg":"worker started"/);
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.output()).toMatch(/"msg":"stopped"/);
  });

  it('refuses to start on bad configuration, naming each variable', async () => {
    const app = main({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/invalid configuration:/);
    expect(app.output()).toMatch(/PORT: must be a whole number from 0 to 65535 \(got "eighty"\)/);
    expect(app.output()).toMatch(/LOG_LEVEL:/);
    expect(app.output()).not.toMatch(/at .*\.ts:\d+/);
  });

  it('refuses the http role without DATABASE_URL, since PGlite serves one process', async () => {
    const app = main({ AURA_ROLE: 'http' });
    expect(await app.exited).toBe(1);
    expect(app.output()).toMatch(/DATABASE_URL: is required when AURA_ROLE=http/);
  });
});

describe.runIf(hasPostgres && hasRedis)('npm run start:http (production role on PostgreSQL and Redis)', () => {
  it('serves on PostgreSQL without running a worker', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const app = main({
      AURA_ROLE: 'http',
      NODE_ENV: 'production',
      DATABASE_URL: database.url,
      DATABASE_MIGRATE_ON_START: 'true',
      REDIS_URL: redisUrl ?? '',
      QUEUE_PREFIX: uniqueName('main'),
      AUTH_SIGNING_KEY: await testSigningKey(),
      // Required in production; never contacted by this test.
      SMTP_URL: 'smtp://127.0.0.1:2525',
    });
    const url = await app.listening();
    const ready = await (await fetch(`${url}/health/ready`)).json();
    expect(ready).toMatchObject({
      status: 'up',
      checks: { database: { details: { kind: 'postgres' } }, queue: { details: { kind: 'redis' } } },
    });
    expect(app.output()).not.toMatch(/worker started/);
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
  });
});
