/**
 * Gives the test run a real PostgreSQL and a real Redis. DATABASE_URL / REDIS_URL win when
 * set (CI starts the Debian services); otherwise an ephemeral server is started from the
 * system's binaries on loopback and removed afterwards. When neither is possible the
 * suites that need it are skipped, and this says loudly what to install.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string | null;
    redisUrl: string | null;
  }
}

const cleanups: Array<() => void> = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function which(binary: string, extraDirs: string[] = []): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extraDirs]) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startPostgres(): Promise<string | null> {
  const initdb = which('initdb', postgresBinDirs());
  const postgres = which('postgres', postgresBinDirs());
  if (!initdb || !postgres) return null;
  const dir = mkdtempSync(join(tmpdir(), 'aura-pg-'));
  const asRoot = process.getuid?.() === 0;
  // initdb refuses to run as root: hand the directory to the postgres user.
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' })
      : execFileSync(cmd, args, { stdio: 'pipe' });
  if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
  run(initdb, ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const pgCtl = which('pg_ctl', postgresBinDirs());
  if (!pgCtl) return null;
  const data = join(dir, 'data');
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  // pg_ctl waits for start-up and stops synchronously: no orphaned server after the run.
  run(pgCtl, ['start', '-D', data, '-w', '-s', '-l', join(dir, 'postgres.log'), '-o', options]);
  cleanups.push(() => {
    try {
      run(pgCtl, ['stop', '-D', data, '-m', 'immediate', '-s']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

async function startRedis(): Promise<string | null> {
  const server = which('redis-server');
  if (!server) return null;
  const port = await freePort();
  const child = spawn(server, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'pipe',
  });
  let ready = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('Ready to accept connections')) ready = true;
  });
  cleanups.push(() => child.kill('SIGKILL'));
  await waitFor(() => ready, 'Redis to accept connections');
  child.stdout?.destroy();
  child.unref();
  return `redis://127.0.0.1:${port}`;
}

export default async function setup(project: TestProject) {
  const databaseUrl = process.env.DATABASE_URL || (await startPostgres());
  const redisUrl = process.env.REDIS_URL || (await startRedis());
  if (!databaseUrl) {
    console.warn('\n!!! PostgreSQL suites are SKIPPED: set DATABASE_URL or install PostgreSQL (apt-get install postgresql).\n');
  }
  if (!redisUrl) {
    console.warn('\n!!! Redis/BullMQ suites are SKIPPED: set REDIS_URL or install Redis (apt-get install redis-server).\n');
  }
  project.provide('databaseUrl', databaseUrl);
  project.provide('redisUrl', redisUrl);
  return () => {
    for (const cleanup of cleanups.reverse()) cleanup();
  };
}
