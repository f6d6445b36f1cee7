/**
 * What the users contract suites share: the SQL back ends (PGlite and a real PostgreSQL,
 * migrated with the platform and users migrations, no Aura), the real outbox, and builders
 * of users and ids.
 */
import { IntegrationEventRegistry } from '@aura/application/platform';
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
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { AuraModule } from '../../src/platform/aura-module.js';
import { platformModule } from '../../src/platform/aura-module.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';
import type { PlatformDatabase } from '../../src/platform/db/platform.tables.js';
import { TransactionManager } from '../../src/platform/db/transactions.js';
import { KyselyOutbox } from '../../src/platform/outbox/kysely-outbox.js';
import { OutboxSignal } from '../../src/platform/outbox/outbox-signal.js';
import { AsyncLocalExecutionContext } from '../../src/platform/runtime/async-local-execution-context.js';
import { SystemClock } from '../../src/platform/runtime/system-clock.js';
import { UuidV7Generator } from '../../src/platform/runtime/uuid-v7.generator.js';
import * as usersInitial from '../../src/users/migrations/2026_11_22_000000_users_initial.js';
import type { UsersDb } from '../../src/users/users.tables.js';
import { type HandleTarget, pgliteHandleTarget, postgresHandleTarget } from '../support/handles.js';

export type ContractTargetName = 'in-memory' | 'pglite' | 'postgres';

/** The users module as far as these suites need it: its migrations. */
export const usersTestModule: AuraModule = {
  name: 'users',
  migrations: { '2026_11_22_000000_users_initial': usersInitial },
};

/**
 * Both SQL back ends, always: PostgreSQL is not optional for these suites (the global setup
 * provides one), so without it they fail rather than skip.
 */
export const sqlTargets: readonly (HandleTarget & { readonly name: 'pglite' | 'postgres' })[] = [
  pgliteHandleTarget,
  postgresHandleTarget,
];

export interface UsersDatabase {
  readonly name: 'pglite' | 'postgres';
  // biome-ignore lint/suspicious/noExplicitAny: spans the users and platform schemas
  readonly db: Kysely<any>;
  readonly transactions: TransactionManager;
  readonly outbox: KyselyOutbox;
  /** Empties the users tables and the outbox. */
  reset(): Promise<void>;
  /** The events in the outbox, in the order they were appended. */
  outboxEvents(): Promise<Array<{ type: string; aggregateId: string; data: unknown }>>;
  /** Inserts a minimal user row (foreign keys of sessions and tokens need one). */
  seedUser(id?: string): Promise<string>;
  close(): Promise<void>;
}

export const ids = new UuidV7Generator();

export async function openUsersDatabase(target: HandleTarget & { readonly name: 'pglite' | 'postgres' }): Promise<UsersDatabase> {
  const database = await target.open();
  try {
    await migrateToLatest(database.handle.db, [platformModule, usersTestModule]);
  } catch (error) {
    await database.cleanup();
    throw error;
  }
  const db = database.handle.db;
  const transactions = new TransactionManager(db);
  const outbox = new KyselyOutbox(
    transactions,
    new IntegrationEventRegistry(usersEvents),
    ids,
    new AsyncLocalExecutionContext(),
    new SystemClock(),
    new OutboxSignal(),
  );
  return {
    name: target.name,
    db,
    transactions,
    outbox,
    reset: async () => {
      await sql`TRUNCATE users.users, users.refresh_token_families, users.refresh_tokens, users.one_time_tokens,
        users.login_throttle, users.security_events, platform.outbox`.execute(db);
    },
    outboxEvents: async () => {
      const rows = await (db as Kysely<PlatformDatabase>)
        .selectFrom('platform.outbox')
        .select(['event_type', 'aggregate_id', 'data', 'source_module'])
        .orderBy('position')
        .execute();
      return rows.map((row) => ({ type: row.event_type, aggregateId: row.aggregate_id, data: row.data }));
    },
    seedUser: async (id = ids.next()) => {
      const user = userState({ id, email: `${id}@example.com` as Email });
      await (db as Kysely<UsersDb>)
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
    close: () => database.cleanup(),
  };
}

/** One back end a contract suite runs against, opened once per suite. */
export interface ContractTarget<H> {
  readonly name: ContractTargetName;
  open(): Promise<ContractBackEnd<H>>;
}

export interface ContractBackEnd<H> {
  /** Empties the back end and returns a new harness on it. */
  fresh(): Promise<H>;
  /** The database, on the SQL targets only. */
  readonly sql?: UsersDatabase;
  close(): Promise<void>;
}

/**
 * The targets of a contract suite, in order: in-memory, then every SQL back end (see
 * `sqlTargets`: PostgreSQL included, never skipped). `inMemory` builds a harness on fresh
 * in-memory state; `sql` builds one on a database just emptied.
 */
export function contractTargets<H>(build: {
  readonly inMemory: () => H | Promise<H>;
  readonly sql: (database: UsersDatabase) => H | Promise<H>;
}): ContractTarget<H>[] {
  return [
    {
      name: 'in-memory',
      open: async () => ({ fresh: async () => build.inMemory(), close: async () => undefined }),
    },
    ...sqlTargets.map(
      (target): ContractTarget<H> => ({
        name: target.name,
        open: async () => {
          const database = await openUsersDatabase(target);
          return {
            sql: database,
            fresh: async () => {
              await database.reset();
              return build.sql(database);
            },
            close: () => database.close(),
          };
        },
      }),
    ),
  ];
}

/**
 * Wires a contract suite to its target: opens the back end before the suite, closes it after,
 * and hands `onFresh` a new harness before each test. The returned `sql` is the database of
 * a SQL target (undefined in memory).
 */
export function useContractTarget<H>(
  target: ContractTarget<H>,
  onFresh: (harness: H) => void,
): { readonly sql: UsersDatabase | undefined } {
  let backEnd: ContractBackEnd<H> | undefined;
  beforeAll(async () => {
    backEnd = await target.open();
  });
  afterAll(() => backEnd?.close());
  beforeEach(async () => {
    if (backEnd === undefined) throw new Error(`${target.name} back end not open`);
    onFresh(await backEnd.fresh());
  });
  return {
    get sql() {
      return backEnd?.sql;
    },
  };
}

export const at = (iso: string) => new Date(iso);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
