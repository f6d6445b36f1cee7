/** `npm run users:create-admin`, run as npm runs it, on an embedded data directory and on PostgreSQL. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Login } from '@aura/application/users';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test/support/services.js';
import { configFrom } from '../../src/platform/config/config.js';
import { createAura } from '../../src/platform/create-aura.js';
import { usersModule } from '../../src/users/users.module.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const PASSWORD = 'a sturdy operator passphrase';

function createAdmin(args: string[], env: Record<string, string>, stdin?: string) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    // As operators run it: npm runs the compiled command (`exec node …/dist/…`).
    const child = spawn('npm', ['run', '--silent', 'users:create-admin', '--', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', AURA_ADMIN_PASSWORD: '', LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.stdin.end(stdin ?? '');
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function loginAs(env: Record<string, string>, email: string, password: string) {
  const aura = await createAura({ config: configFrom(env), modules: [usersModule] });
  try {
    return await (await aura.get(Login)).execute({ email, password });
  } finally {
    await aura.close();
  }
}

describe('npm run users:create-admin', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup();
  });

  it('creates an active administrator in the embedded database from a piped password, once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aura-admin-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { AURA_DATA_DIR: dataDir };
    const created = await createAdmin(['--email', 'Root@Example.com', '--name', 'Root Admin'], env, `${PASSWORD}\n`);
    expect(created.out).toContain('created administrator root@example.com');
    expect(created.code).toBe(0);

    const again = await createAdmin(['--email', 'root@example.com', '--name', 'Root Again'], env, PASSWORD);
    expect(again.code).toBe(1);
    expect(again.out).toContain('users.email_taken');

    const login = await loginAs(env, 'root@example.com', PASSWORD);
    expect(login.isOk()).toBe(true);
  });

  it('refuses a weak password and a missing argument, saying why', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aura-admin-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const weak = await createAdmin(['--email', 'a@example.com', '--name', 'A'], { AURA_DATA_DIR: dataDir }, 'password1');
    expect(weak.code).toBe(1);
    expect(weak.out).toContain('users.weak_password: password: is too easy to guess');
    const usage = await createAdmin(['--name', 'A'], { AURA_DATA_DIR: dataDir });
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('usage: npm run users:create-admin');
  });

  it('takes the password from AURA_ADMIN_PASSWORD and works on PostgreSQL', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(database.drop);
    const env = { DATABASE_URL: database.url, DATABASE_MIGRATE_ON_START: 'true' };
    const created = await createAdmin(['--email', 'ops@example.com', '--name', 'Ops', '--time-zone', 'Europe/Paris'], {
      ...env,
      AURA_ADMIN_PASSWORD: PASSWORD,
    });
    expect(created.code, created.out).toBe(0);
    const login = await loginAs(env, 'ops@example.com', PASSWORD);
    expect(login.isOk()).toBe(true);
  });
});
