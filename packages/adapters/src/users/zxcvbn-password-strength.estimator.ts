import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PasswordStrengthEstimator } from '@aura/application/users';
import type { PasswordStrength } from '@aura/domain/users';
import { injectable, preDestroy } from 'inversify';

const require = createRequire(import.meta.url);

/** Scored length: matching is quadratic in it (a 128-digit password took ~0.7 s); more characters only add strength. */
const MAX_SCORED_LENGTH = 64;

/**
 * The worker's code, plain CommonJS so it runs the same under tsx, vitest and the built
 * `dist/`: it loads zxcvbn once and answers `{ id, password, userInputs }` messages.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const core = require(workerData.core);
const common = require(workerData.common);
const english = require(workerData.english);
const zxcvbn = new core.ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...english.dictionary },
  graphs: common.adjacencyGraphs,
  translations: english.translations,
  maxLength: workerData.maxLength,
});
parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    const result = zxcvbn.check(password, userInputs);
    parentPort.postMessage({ id, strength: { score: result.score, warning: result.feedback.warning ?? null, suggestions: result.feedback.suggestions } });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Pending {
  resolve(strength: PasswordStrength): void;
  reject(error: Error): void;
}

/**
 * zxcvbn (the maintained TypeScript port): pattern matching against common passwords,
 * names, keyboard walks, dates and the person's own details, with feedback in English. It
 * runs in a worker thread, started on first use and not keeping the process alive, so a long
 * password never blocks the event loop that serves everyone else.
 */
@injectable()
export class ZxcvbnPasswordStrengthEstimator implements PasswordStrengthEstimator {
  #worker: Worker | undefined;
  #nextId = 0;
  readonly #pending = new Map<number, Pending>();

  estimate(password: string, userInputs: readonly string[]): Promise<PasswordStrength> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, password, userInputs: [...userInputs] });
    });
  }

  /** Stops the worker (a later estimate starts a new one); called when Aura closes. */
  @preDestroy()
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        core: require.resolve('@zxcvbn-ts/core'),
        common: require.resolve('@zxcvbn-ts/language-common'),
        english: require.resolve('@zxcvbn-ts/language-en'),
        maxLength: MAX_SCORED_LENGTH,
      },
    });
    worker.unref();
    worker.on('message', (message: { id: number; strength?: PasswordStrength; error?: string }) => {
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (this.#pending.size === 0) worker.unref();
      if (message.strength) pending?.resolve(message.strength);
      else pending?.reject(new Error(`password strength estimation failed: ${message.error}`));
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the password strength worker exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}
