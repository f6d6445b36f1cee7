import { type DomainEvent, domainError } from '@aura/domain/platform';
import { type Email, User, type UserState } from '@aura/domain/users';
import { err, ok, type Result } from 'neverthrow';
import { type Page, pageOf } from '../../platform/pagination.js';
import {
  ConcurrentUserModificationError,
  type EmailTaken,
  type UserListFilter,
  type UserRepository,
} from '../ports/user.repository.port.js';

/** Where the repository hands the events users record (the outbox port's shape). */
export interface InMemoryEventSink {
  append(module: string, events: readonly DomainEvent[]): Promise<void>;
}

const date = (at: Date | null): Date | null => (at === null ? null : new Date(at));

/** A copy that shares nothing mutable (Dates included) with the original. */
const copy = (state: UserState): UserState => ({
  ...state,
  emailVerifiedAt: date(state.emailVerifiedAt),
  createdAt: new Date(state.createdAt),
  updatedAt: new Date(state.updatedAt),
  deactivatedAt: date(state.deactivatedAt),
  sessionsRevokedAt: date(state.sessionsRevokedAt),
});

/**
 * A UserRepository in a Map, with the SQL adapter's rules: one account per address compared
 * case-insensitively, and optimistic concurrency on `version` (a save of a stale copy throws).
 * Every event a saved user recorded is appended to `published` and, when given, to `outbox`.
 * `forUpdate` has nothing to lock here.
 */
export class InMemoryUserRepository implements UserRepository {
  readonly #users = new Map<string, UserState>();
  /** Every event added and saved users recorded, in order. */
  readonly published: DomainEvent[] = [];

  constructor(private readonly outbox?: InMemoryEventSink) {}

  async findById(id: string): Promise<User | undefined> {
    const state = this.#users.get(id);
    return state === undefined ? undefined : User.restore(copy(state));
  }

  async findByEmail(email: Email): Promise<User | undefined> {
    const state = this.#byEmail(email);
    return state === undefined ? undefined : User.restore(copy(state));
  }

  async add(user: User): Promise<Result<void, EmailTaken>> {
    const state = user.state;
    if (this.#byEmail(state.email) !== undefined) {
      return err(domainError('users.email_taken', 'an account with this email address already exists', { field: 'email' }));
    }
    if (this.#users.has(state.id)) throw new Error(`user ${state.id} already exists`);
    this.#users.set(state.id, copy(state));
    await this.#publish(user.pullEvents());
    return ok(undefined);
  }

  async save(user: User): Promise<void> {
    const state = user.state;
    const stored = this.#users.get(state.id);
    if (stored === undefined || stored.version !== state.version) throw new ConcurrentUserModificationError(state.id);
    const other = this.#byEmail(state.email);
    if (other !== undefined && other.id !== state.id) throw new Error(`the address of user ${state.id} belongs to another user`);
    this.#users.set(state.id, copy({ ...state, createdAt: stored.createdAt, version: stored.version + 1 }));
    await this.#publish(user.pullEvents());
  }

  async list(filter: UserListFilter): Promise<Page<UserState>> {
    const { cursor } = filter;
    const matching = [...this.#users.values()]
      .filter((u) => filter.role === undefined || u.role === filter.role)
      .filter((u) => filter.status === undefined || u.status === filter.status)
      .filter((u) => cursor === undefined || u.id > cursor)
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return pageOf(matching, filter.limit, copy);
  }

  #byEmail(email: string): UserState | undefined {
    const wanted = email.toLowerCase();
    for (const state of this.#users.values()) if (state.email.toLowerCase() === wanted) return state;
    return undefined;
  }

  async #publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.published.push(...events);
    await this.outbox?.append('users', events);
  }
}
