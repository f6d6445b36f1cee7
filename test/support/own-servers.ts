/**
 * PostgreSQL and Redis servers of a test's own, for tests that stop, restart or flush them:
 * doing that to the run's shared servers would break every other suite running meanwhile.
 * Both start from the system's binaries on loopback, on a port that stays the same across
 * restarts (so clients reconnect to the same URL).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

export function freePort(): Promise<number> {
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

function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

/** A binary on PATH or in Debian's PostgreSQL folders. */
export function which(binary: string, extraDirs: string[] = postgresBinDirs()): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), ...extraDirs]) {
    if (dir && existsSync(join(dir, binary))) return join(dir, binary);
  }
  return undefined;
}

export interface OwnPostgres {
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m fast`: every session is terminated, new connections are refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** `pg_ctl restart -m fast`. */
  restart(): Promise<void>;
  /** Stops the server (immediate) and removes its files. */
  remove(): Promise<void>;
}

/** initdb refuses to run as root: the server then runs as the postgres user. */
const asRoot = process.getuid?.() === 0;

async function runAsPostgres(cmd: string, args: string[]): Promise<void> {
  if (asRoot) await run('runuser', ['-u', 'postgres', '--', cmd, ...args]);
  else await run(cmd, args);
}

/** A fresh PostgreSQL cluster on a free loopback port (fsync off: tests, not durability). */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  if (initdb === undefined || pgCtl === undefined) throw new Error('PostgreSQL binaries (initdb, pg_ctl) are not installed');
  const dir = mkdtempSync(join(tmpdir(), 'aura-own-pg-'));
  if (asRoot) await run('chown', ['postgres:postgres', dir]);
  const data = join(dir, 'data');
  await runAsPostgres(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const ctl = (...args: string[]) => runAsPostgres(pgCtl, [...args, '-D', data, '-s']);
  const start = () => ctl('start', '-w', '-l', join(dir, 'postgres.log'), '-o', options);
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => ctl('stop', '-m', 'fast', '-w'),
    start,
    restart: () => ctl('restart', '-m', 'fast', '-w', '-l', join(dir, 'postgres.log'), '-o', options),
    remove: async () => {
      await ctl('stop', '-m', 'immediate').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  readonly url: string;
  /** Kills the server (nothing is saved: it comes back empty). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  flushAll(): Promise<void>;
  remove(): Promise<void>;
}

/** A redis-server of a test's own on a free loopback port. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const binary = which('redis-server', []);
  if (binary === undefined) throw new Error('redis-server is not installed');
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 50, lazyConnect: true });
  client.on('error', () => undefined); // refused while the server is down
  const start = async () => {
    child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    if (client.status === 'wait') void client.connect().catch(() => undefined);
    // Commands wait (unbounded retries) until the server accepts connections.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis-server did not start within 10 s')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
  };
  const stop = async () => {
    const current = child;
    if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
    const gone = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url,
    stop,
    start,
    flushAll: async () => {
      await client.flushall();
    },
    remove: async () => {
      client.disconnect();
      await stop();
    },
  };
}
