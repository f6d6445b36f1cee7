import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const defaultScript = fileURLToPath(new URL('../fixtures/fixture-worker.ts', import.meta.url));

export interface FixtureWorker {
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves when a line matching `pattern` was printed (rejects if the process exits first). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited(): Promise<number | null>;
}

/** Starts a fixture worker (by default fixtures/fixture-worker.ts) as a real child process (`node --import tsx`). */
export function startFixtureWorker(env: Record<string, string>, script = defaultScript): FixtureWorker {
  const child = spawn(process.execPath, ['--conditions=aura-source', '--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited: () => exit,
    waitFor: (pattern, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const poll = () => {
          const match = out.split('\n').find((line) => pattern.test(line));
          if (match !== undefined) return resolve(match);
          if (child.exitCode !== null || child.signalCode !== null)
            return reject(new Error(`worker exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${out}`));
          if (Date.now() > deadline) return reject(new Error(`worker did not print ${pattern} in time:\n${out}`));
          setTimeout(poll, 25);
        };
        poll();
      }),
  };
}
