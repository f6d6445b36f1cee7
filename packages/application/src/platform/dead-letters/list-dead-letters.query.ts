import { inject, injectable } from 'inversify';
import { ResultAsync } from 'neverthrow';
import { type Actor, type Forbidden, requireRole } from '../actor.js';
import { MAX_PAGE_SIZE, type Page } from '../pagination.js';
import type { DeadLetter, DeadLetterStatus } from './dead-letter.js';
import { DeadLetterStore } from './dead-letter-store.port.js';

export interface ListDeadLettersInput {
  readonly actor: Actor;
  readonly status: DeadLetterStatus;
  readonly queue?: string;
  readonly limit: number;
  readonly cursor?: string;
}

@injectable()
export class ListDeadLetters {
  constructor(@inject(DeadLetterStore) private readonly store: DeadLetterStore) {}

  execute({ actor, ...query }: ListDeadLettersInput): ResultAsync<Page<DeadLetter>, Forbidden> {
    // Every caller gets a bounded page, whatever it asked for (HTTP validates; the CLI and embedders may not).
    const limit = Number.isInteger(query.limit) ? Math.min(Math.max(query.limit, 1), MAX_PAGE_SIZE) : MAX_PAGE_SIZE;
    // Store failures are faults, not outcomes: fromSafePromise lets them reject.
    return requireRole(actor, 'admin').asyncAndThen(() => ResultAsync.fromSafePromise(this.store.list({ ...query, limit })));
  }
}
