import { AsyncLocalStorage } from 'node:async_hooks';
import type { UnitOfWork } from '@aura/application/platform';
import type { Kysely, Transaction } from 'kysely';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';

// biome-ignore lint/suspicious/noExplicitAny: the executor is shared by every module's schema
type AnyDb = Kysely<any>;

interface TransactionScope {
  readonly trx: Transaction<unknown>;
  readonly afterCommit: Array<() => void>;
}

class Rollback<E> {
  constructor(readonly error: E) {}
}

/**
 * Hands repositories the current transaction (or the pool outside one) through
 * AsyncLocalStorage, and implements the UnitOfWork port on top of it. Nested units of work
 * join the outer transaction.
 */
export class TransactionManager implements UnitOfWork {
  readonly #storage = new AsyncLocalStorage<TransactionScope>();

  constructor(private readonly db: AnyDb) {}

  /** The executor repositories must use: the current transaction, or the pool. */
  // biome-ignore lint/suspicious/noExplicitAny: see AnyDb
  executor<DB = any>(): Kysely<DB> {
    return (this.#storage.getStore()?.trx ?? this.db) as Kysely<DB>;
  }

  get inTransaction(): boolean {
    return this.#storage.getStore() !== undefined;
  }

  /**
   * Runs `callback` once the current transaction commits (never if it rolls back); at once
   * outside a transaction. The outbox uses it to wake the relay.
   */
  afterCommit(callback: () => void): void {
    const scope = this.#storage.getStore();
    if (scope === undefined) callback();
    else scope.afterCommit.push(callback);
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return work();
    const afterCommit: Array<() => void> = [];
    const result = await this.db
      .transaction()
      .execute((trx) => this.#storage.run({ trx: trx as Transaction<unknown>, afterCommit }, work));
    for (const callback of afterCommit) callback();
    return result;
  }

  result<T, E>(work: () => ResultAsync<T, E>): ResultAsync<T, E> {
    const run = this.transaction(async () => {
      const outcome = await work();
      if (outcome.isErr()) throw new Rollback(outcome.error);
      return outcome.value;
    });
    return ResultAsync.fromSafePromise(
      run.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => {
          if (error instanceof Rollback) return { ok: false as const, error: error.error as E };
          throw error;
        },
      ),
    ).andThen((outcome) => (outcome.ok ? okAsync(outcome.value) : errAsync(outcome.error)));
  }
}
