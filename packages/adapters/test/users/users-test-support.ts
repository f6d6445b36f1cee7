/**
 * What the users contract suites share: the SQL back ends (PGlite and a real PostgreSQL,
 * migrated with the platform and users migrations, no Aura), the real outbox, and builders
 * of users and ids.
 */
import { usersEvents } from '@aura/application/users';
import {
  type DisplayName,
  type Email,
  type Locale,
  type PasswordHash,
  type TimeZone,
  User,
  type UserRole,
  type UserState,
} from '@aura/domain/users';
import type { Kysely } from 'kysely';
import type { AuraModule } from '../../src/platform/aura-module.js';
import * as usersInitial from '../../src/users/migrations/2026_11_22_000000_users_initial.js';
import type { UsersDb } from '../../src/users/users.tables.js';
import {
  at,
  ids,
  type ModuleDatabase,
  moduleContractTargets,
  openModuleDatabase,
  type SqlTarget,
} from '../support/module-contract.js';

export type { ContractTargetName } from '../support/module-contract.js';
export { at, ids, sleep, sqlTargets, useContractTarget } from '../support/module-contract.js';

/** The users module as far as these suites need it: its migrations. */
export const usersTestModule: AuraModule = {
  name: 'users',
  migrations: { '2026_11_22_000000_users_initial': usersInitial },
};

export interface UsersDatabase extends ModuleDatabase {
  /** Inserts a minimal user row (foreign keys of sessions and tokens need one). */
  seedUser(id?: string): Promise<string>;
}

export async function openUsersDatabase(target: SqlTarget): Promise<UsersDatabase> {
  const database = await openModuleDatabase(target, usersTestModule, {
    events: usersEvents,
    tables: [
      'users.users',
      'users.refresh_token_families',
      'users.refresh_tokens',
      'users.one_time_tokens',
      'users.login_throttle',
      'users.security_events',
    ],
  });
  return {
    ...database,
    seedUser: async (id = ids.next()) => {
      const user = userState({ id, email: `${id}@example.com` as Email });
      await (database.db as Kysely<UsersDb>)
        .insertInto('users.users')
        .values({
          id: user.id,
          email: user.email,
          display_name: user.displayName,
          role: user.role,
          status: user.status,
          password_hash: user.passwordHash,
          time_zone: user.timeZone,
          locale: user.locale,
          created_at: user.createdAt,
          updated_at: user.updatedAt,
        })
        .execute();
      return id;
    },
  };
}

/** The targets of a users contract suite: in-memory, then PGlite and PostgreSQL. */
export function contractTargets<H>(build: {
  readonly inMemory: () => H | Promise<H>;
  readonly sql: (database: UsersDatabase) => H | Promise<H>;
}) {
  return moduleContractTargets(openUsersDatabase, build);
}

/** A complete user state; `overrides` win. */
export function userState(overrides: Partial<UserState> = {}): UserState {
  const id = overrides.id ?? ids.next();
  return {
    id,
    email: `user-${id.slice(-12)}@example.com` as Email,
    displayName: 'Ada Lovelace' as DisplayName,
    role: 'patient',
    status: 'active',
    emailVerifiedAt: at('2026-11-22T09:00:00.123Z'),
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo' as PasswordHash,
    timeZone: 'Europe/Paris' as TimeZone,
    locale: 'fr-FR' as Locale,
    createdAt: at('2026-11-22T08:00:00.456Z'),
    updatedAt: at('2026-11-22T09:00:00.123Z'),
    deactivatedAt: null,
    sessionsRevokedAt: null,
    version: 0,
    ...overrides,
  };
}

/** A newly registered user (pending verification, `user.registered` recorded). */
export function registeredUser(email: string, role: Exclude<UserRole, 'admin'> = 'patient', id: string = ids.next()): User {
  return User.register(
    {
      id,
      email: email as Email,
      displayName: 'Grace Hopper' as DisplayName,
      role,
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo' as PasswordHash,
      timeZone: 'America/New_York' as TimeZone,
      locale: 'en-US' as Locale,
    },
    at('2026-11-22T10:00:00.789Z'),
  )._unsafeUnwrap();
}
