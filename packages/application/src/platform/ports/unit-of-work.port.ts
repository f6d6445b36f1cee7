import type { ResultAsync } from 'neverthrow';

/**
 * Runs work in one database transaction. Repositories called inside it (directly or
 * through use cases) join that transaction; nested calls reuse the outer one.
 */
export interface UnitOfWork {
  /** Commits when `work` resolves, rolls back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** Commits on `ok`, rolls back on `err` (and on a thrown fault, which is re-thrown). */
  result<T, E>(work: () => ResultAsync<T, E>): ResultAsync<T, E>;
  /**
   * Runs `effect` once the current transaction has committed (never if it rolls back), at once
   * outside a transaction: for calls to another service (the queue) that must not hold a
   * transaction open. The transaction has committed by then, so a failing effect cannot undo
   * it: it is logged, and must be re-derivable (a sweep) or harmless to lose.
   */
  afterCommit(effect: () => Promise<void> | void): void;
}
export const UnitOfWork = Symbol.for('aura.platform.UnitOfWork');
