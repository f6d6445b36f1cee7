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
}
export const UnitOfWork = Symbol.for('aura.platform.UnitOfWork');
