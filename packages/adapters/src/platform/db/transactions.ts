import { AsyncLocalStorage } from 'node:async_hooks';
import type { UnitOfWork } from '@aura/application/platform';
import { type Kysely, sql, type Transaction } from 'kysely';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';

// biome-ignore lint/suspicious/noExplicitAny: the executor is shared by every module's schema
type AnyDb = Kysely<any>;

interface TransactionScope {
  readonly trx: Transaction<unknown>;
  /** Savepoint nesting level: 0 for the transaction itself. */
  readonly depth: number;
  readonly afterCommit: Array<() => unknown>;
  /** False once the transaction (or savepoint) has ended: a timer that escaped it must not use it. */
  open: boolean;
}

class Rollback<E> {
  constructor(readonly error: E) {}
}

/**
 * Hands repositories the current transaction (or the pool outside one) through
 * AsyncLocalStorage, and implements the UnitOfWork port on top of it. A nested unit of work
 * runs in a savepoint of the outer transaction: if it fails, its own writes are rolled back
 * and the outer transaction goes on (and can still commit).
 */
export class TransactionManager implements UnitOfWork {
  readonly #storage = new AsyncLocalStorage<TransactionScope>();

  constructor(
    private readonly db: AnyDb,
    /** Where the failure of an after-commit effect goes (createAura logs it). */
    private readonly onEffectError?: (error: unknown) => void,
  ) {}

  /** The executor repositories must use: the current transaction, or the pool. */
  // biome-ignore lint/suspicious/noExplicitAny: see AnyDb
  executor<DB = any>(): Kysely<DB> {
    return (this.#scope()?.trx ?? this.db) as Kysely<DB>;
  }

  get inTransaction(): boolean {
    return this.#scope() !== undefined;
  }

  #scope(): TransactionScope | undefined {
    const scope = this.#storage.getStore();
    return scope?.open ? scope : undefined;
  }

  /**
   * Runs `effect` once the current transaction commits (never if it rolls back); at once
   * outside a transaction. The outbox uses it to wake the relay; handlers use it to call the
   * queue without holding their transaction open. `transaction()` resolves once the effects
   * have run; an effect's failure goes to `onEffectError` (the transaction has committed: it
   * cannot be undone, nor reported as the transaction's failure).
   */
  afterCommit(effect: () => unknown): void {
    const scope = this.#scope();
    if (scope === undefined) void this.#run([effect]);
    else scope.afterCommit.push(effect);
  }

  async #run(effects: ReadonlyArray<() => unknown>): Promise<void> {
    for (const effect of effects) {
      try {
        await effect();
      } catch (error) {
        try {
          this.onEffectError?.(error);
        } catch {
          // an observer's failure must not change anything
        }
      }
    }
  }

  /**
   * Joins the current transaction, or opens one: for writes that must commit with the
   * caller's change but have no failure of their own to isolate (the outbox). No savepoint.
   */
  async join<T>(work: () => Promise<T>): Promise<T> {
    return this.#scope() === undefined ? this.transaction(work) : work();
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const outer = this.#scope();
    if (outer !== undefined) return this.#savepoint(outer, work);
    const afterCommit: Array<() => unknown> = [];
    let scope: TransactionScope | undefined;
    try {
      const result = await this.db.transaction().execute((trx) => {
        scope = { trx: trx as Transaction<unknown>, depth: 0, afterCommit, open: true };
        return this.#storage.run(scope, work);
      });
      if (scope) scope.open = false;
      await this.#run(afterCommit);
      return result;
    } finally {
      if (scope) scope.open = false;
    }
  }

  async #savepoint<T>(outer: TransactionScope, work: () => Promise<T>): Promise<T> {
    const name = sql.id(`aura_savepoint_${outer.depth + 1}`);
    const scope: TransactionScope = { trx: outer.trx, depth: outer.depth + 1, afterCommit: [], open: true };
    await sql`SAVEPOINT ${name}`.execute(outer.trx);
    try {
      const result = await this.#storage.run(scope, work);
      await sql`RELEASE SAVEPOINT ${name}`.execute(outer.trx);
      // Released work commits with the outer transaction, and so do its callbacks.
      outer.afterCommit.push(...scope.afterCommit);
      return result;
    } catch (error) {
      await sql`ROLLBACK TO SAVEPOINT ${name}`.execute(outer.trx);
      throw error;
    } finally {
      scope.open = false;
    }
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
