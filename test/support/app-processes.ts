/**
 * Aura's real entry points as child processes, the way operators start them: the HTTP server
 * (`apps/http/src/main.ts`) and the worker (`apps/worker/src/main.ts`), from TypeScript
 * source through tsx (as the tests run everything), or compiled (`dist/main.js`, what
 * production runs), or through the npm scripts the README documents.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../', import.meta.url));

/** `all`: `npm start` (HTTP + worker in one process); `http` and `worker`: one production role each. */
export type AppKind = 'all' | 'http' | 'worker';

export interface AppProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** JSON log lines printed so far. */
  logs(): Array<{ level: string; msg: string; [key: string]: unknown }>;
  /** Resolves with the first line matching `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Whether the process is still running. */
  alive(): boolean;
  exited(): Promise<number | null>;
  /** SIGKILL if still running, and wait for it. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /**
   * `npm` (default): the npm script the README documents (`npm start`, `npm run start:http`,
   * `npm run start:worker`): compiled JavaScript, the process signals reach; `dist`: node on
   * the compiled main.js; `source`: TypeScript through tsx.
   */
  readonly launcher?: 'npm' | 'dist' | 'source';
}

const SCRIPTS: Record<AppKind, string> = { all: 'start', http: 'start:http', worker: 'start:worker' };
const ENTRIES: Record<AppKind, string> = { all: 'apps/http', http: 'apps/http', worker: 'apps/worker' };

export function startApp(kind: AppKind, env: Record<string, string>, options: StartOptions = {}): AppProcess {
  const launcher = options.launcher ?? 'npm';
  const [command, args]: [string, string[]] =
    launcher === 'npm'
      ? ['npm', ['run', '--silent', SCRIPTS[kind]]]
      : launcher === 'dist'
        ? [process.execPath, [`${ENTRIES[kind]}/dist/main.js`]]
        : [process.execPath, ['--conditions=aura-source', '--import', 'tsx', `${ENTRIES[kind]}/src/main.ts`]];
  const child = spawn(command, args, {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: '',
      REDIS_URL: '',
      LOG_LEVEL: 'info',
      ...(kind === 'http' ? { AURA_ROLE: 'http' } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of waiters) waiter();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      for (const waiter of waiters) waiter();
      resolve(code);
    }),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            return [JSON.parse(line) as { level: string; msg: string }];
          } catch {
            return [];
          }
        }),
    alive,
    exited: () => exit,
    kill: async () => {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exit;
    },
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = out.split('\n').find((line) => pattern.test(line));
          if (match !== undefined) return done(() => resolve(match));
          if (!alive())
            return done(() =>
              reject(new Error(`${kind} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${out}`)),
            );
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`${kind} did not print ${pattern} within ${timeoutMs} ms:\n${out}`))),
          timeoutMs,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** The URL an HTTP process printed it listens on. */
export async function listeningUrl(app: AppProcess, timeoutMs = 30_000): Promise<string> {
  const line = await app.waitFor(/"msg":"Aura listening on /, timeoutMs);
  const url = /Aura listening on (http:\/\/[^"\s]+)/.exec(line)?.[1];
  if (url === undefined) throw new Error(`no URL in ${line}`);
  return url;
}
