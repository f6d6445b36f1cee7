import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecutionContext, ExecutionScope } from '@aura/application/platform';

export class AsyncLocalExecutionContext implements ExecutionContext {
  readonly #storage = new AsyncLocalStorage<ExecutionScope>();

  current(): ExecutionScope | undefined {
    return this.#storage.getStore();
  }

  run<T>(scope: ExecutionScope, work: () => T): T {
    return this.#storage.run(scope, work);
  }
}
