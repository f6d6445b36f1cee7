/**
 * A server under test in its own child process, so that the client (autocannon or a timing
 * loop) and the server do not share an event loop. The parent forks the target script with
 * one JSON argument (its spec) and waits for `{ type: 'ready', … }` over IPC; the target
 * stops on the message `'stop'` or when the parent goes away.
 *
 * - parent side: `forkTarget`, `withTarget`;
 * - target side: `serveTarget`, `listen`, `closeServer`, `targetConfig`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AuraConfig } from '../packages/adapters/src/platform/config/config.js';
import { type Backends, repoRoot, withTimeout } from './support.js';

/** What a target reports over IPC: its URLs (`R`) once it listens, or why it could not start. */
export type TargetMessage<R extends object> = ({ type: 'ready' } & R) | { type: 'error'; message: string };

export interface ForkedTarget<R> {
  /** What the target reported when ready (its URLs). */
  readonly ready: R;
  stop(): Promise<void>;
}

/**
 * Forks `script` (a URL, as `new URL('./x-target.ts', import.meta.url)`) with `spec` and waits
 * (bounded) until it is ready; `name` says which target in error messages.
 */
export async function forkTarget<R extends object>(script: URL, spec: unknown, name: string): Promise<ForkedTarget<R>> {
  const child: ChildProcess = fork(fileURLToPath(script), [JSON.stringify(spec)], {
    cwd: repoRoot,
    execArgv: ['--conditions=aura-source', '--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const ready = await withTimeout(
      new Promise<R>((resolve, reject) => {
        child.once('message', (message: TargetMessage<R>) =>
          message.type === 'ready' ? resolve(message) : reject(new Error(`${name} failed:\n${message.message}`)),
        );
        child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
      }),
      120_000,
      `starting ${name}`,
    );
    return {
      ready,
      stop: async () => {
        if (child.connected) child.send('stop');
        try {
          await withTimeout(exited, 20_000, `stopping ${name}`);
        } catch {
          kill();
          await exited;
        }
      },
    };
  } catch (error) {
    kill();
    await exited;
    throw error;
  }
}

/** Starts a target, runs `run` with it and stops it, whatever happens. */
export async function withTarget<T extends { stop(): Promise<void> }, U>(
  start: Promise<T>,
  run: (target: T) => Promise<U>,
): Promise<U> {
  const target = await start;
  try {
    return await run(target);
  } finally {
    await target.stop();
  }
}

/** Listens on 127.0.0.1, port 0; answers the base URL. */
export function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${address.port}`);
    });
  });
}

/** Closes the server, cutting its keep-alive connections. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The configuration every full-app target shares: loopback, port 0, silent, in memory unless
 * `backends` names PostgreSQL (migrated on start) and Redis (under its queue prefix).
 */
export function targetConfig(backends: Backends): Partial<Record<keyof AuraConfig, string>> {
  return {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'silent',
    AURA_DATA_DIR: 'memory://',
    ...(backends.databaseUrl ? { DATABASE_URL: backends.databaseUrl, DATABASE_MIGRATE_ON_START: 'true' } : {}),
    ...(backends.redisUrl ? { REDIS_URL: backends.redisUrl, QUEUE_PREFIX: backends.queuePrefix ?? 'aurabench' } : {}),
  };
}

/** A started target: what it reports when ready, and how it closes. */
export interface RunningTarget<R extends object> {
  readonly ready: R;
  close(): Promise<void>;
}

/**
 * The target's main: starts with the spec from argv[2], reports `{ type: 'ready', …ready }`
 * (or the error, then exits 1), and closes (at most 15 s) on `'stop'` or when the parent goes.
 */
export async function serveTarget<S, R extends object>(
  name: string,
  start: (spec: S) => Promise<RunningTarget<R>>,
): Promise<void> {
  const send = (message: TargetMessage<R>) => process.send?.(message);
  const spec = JSON.parse(process.argv[2] ?? '{}') as S;
  let running: RunningTarget<R>;
  try {
    running = await start(spec);
  } catch (error) {
    send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(2), 15_000);
    force.unref();
    await running.close().catch((error: unknown) => console.error(`${name}: close failed`, error));
    process.exit(0);
  };
  process.on('message', (message) => {
    if (message === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  send({ type: 'ready', ...running.ready });
}
