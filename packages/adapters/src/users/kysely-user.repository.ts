import { Outbox, type Page, pageOf } from '@aura/application/platform';
import {
  ConcurrentUserModificationError,
  type EmailTaken,
  type UserListFilter,
  type UserRepository,
} from '@aura/application/users';
import { domainError } from '@aura/domain/platform';
import {
  type DisplayName,
  type Email,
  type Locale,
  type PasswordHash,
  type TimeZone,
  User,
  type UserState,
} from '@aura/domain/users';
import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import { err, ok, type Result } from 'neverthrow';
import { TransactionManager } from '../platform/db/transactions.js';
import type { UserRow, UsersDb } from './users.tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The unique index on lower(email) (migration 2026_11_22_000000_users_initial). */
const EMAIL_KEY = 'users_email_key';

/** A unique violation of `constraint`; PGlite's errors are no instance of pg's DatabaseError, so by shape. */
function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint: violated } = error as { code?: unknown; constraint?: unknown };
  return code === '23505' && violated === constraint;
}

export function emailTaken(): EmailTaken {
  return domainError('users.email_taken', 'an account with this email address already exists', { field: 'email' });
}

function toState(row: UserRow): UserState {
  return {
    id: row.id,
    email: row.email as Email,
    displayName: row.display_name as DisplayName,
    role: row.role,
    status: row.status,
    emailVerifiedAt: row.email_verified_at,
    passwordHash: row.password_hash as PasswordHash,
    timeZone: row.time_zone as TimeZone,
    locale: row.locale as Locale,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deactivatedAt: row.deactivated_at,
    sessionsRevokedAt: row.sessions_revoked_at,
    version: row.version,
  };
}

/** The columns a save may change (everything but the id, the creation time and the version). */
function changeableColumns(state: UserState) {
  return {
    email: state.email,
    display_name: state.displayName,
    role: state.role,
    status: state.status,
    email_verified_at: state.emailVerifiedAt,
    password_hash: state.passwordHash,
    time_zone: state.timeZone,
    locale: state.locale,
    updated_at: state.updatedAt,
    deactivated_at: state.deactivatedAt,
    sessions_revoked_at: state.sessionsRevokedAt,
  };
}

/**
 * Users in `users.users`, their events in the outbox in the same transaction. Optimistic
 * concurrency on `version`: `save` writes only if the row still has the version the user was
 * loaded with, and bumps it. The aggregate keeps the version it was loaded with, so the rule
 * is load, change, save once (load it again to change it again).
 */
@injectable()
export class KyselyUserRepository implements UserRepository {
  constructor(
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(Outbox) private readonly outbox: Outbox,
  ) {}

  private get db() {
    return this.transactions.executor<UsersDb>();
  }

  async findById(id: string, options: { readonly forUpdate?: boolean } = {}): Promise<User | undefined> {
    // Not an id at all (a path parameter someone typed): nobody, rather than a cast error.
    if (!UUID.test(id)) return undefined;
    let query = this.db.selectFrom('users.users').selectAll().where('id', '=', id);
    if (options.forUpdate === true) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : User.restore(toState(row));
  }

  async findByEmail(email: Email, options: { readonly forUpdate?: boolean } = {}): Promise<User | undefined> {
    let query = this.db.selectFrom('users.users').selectAll().where(sql<string>`lower(email)`, '=', sql<string>`lower(${email})`);
    if (options.forUpdate === true) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : User.restore(toState(row));
  }

  async add(user: User): Promise<Result<void, EmailTaken>> {
    const state = user.state;
    try {
      // A savepoint inside the caller's transaction: a taken address undoes only this insert.
      await this.transactions.transaction(async () => {
        await this.db
          .insertInto('users.users')
          .values({ id: state.id, created_at: state.createdAt, version: state.version, ...changeableColumns(state) })
          .execute();
        await this.outbox.append('users', user.pullEvents());
      });
    } catch (error) {
      if (isUniqueViolation(error, EMAIL_KEY)) return err(emailTaken());
      throw error;
    }
    return ok(undefined);
  }

  async save(user: User): Promise<void> {
    const state = user.state;
    await this.transactions.join(async () => {
      const result = await this.db
        .updateTable('users.users')
        .set({ ...changeableColumns(state), version: sql<number>`version + 1` })
        .where('id', '=', state.id)
        .where('version', '=', state.version)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new ConcurrentUserModificationError(state.id);
      await this.outbox.append('users', user.pullEvents());
    });
  }

  async list(filter: UserListFilter): Promise<Page<UserState>> {
    let query = this.db
      .selectFrom('users.users')
      .selectAll()
      .orderBy('id')
      .limit(filter.limit + 1);
    if (filter.role !== undefined) query = query.where('role', '=', filter.role);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.cursor !== undefined) query = query.where('id', '>', filter.cursor);
    const rows = await query.execute();
    return pageOf(rows, filter.limit, toState);
  }
}
