/**
 * What the notifications contract suites share: the SQL back ends (PGlite and a real
 * PostgreSQL, migrated with the platform and notifications migrations, no Aura), the real
 * outbox, and builders of notifications.
 */
import { notificationsEvents } from '@aura/application/notifications';
import { IntegrationEventRegistry } from '@aura/application/platform';
import { DEFAULT_CONTENT_POLICY, type NewNotification, Notification, type NotificationState } from '@aura/domain/notifications';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import * as notificationsInitial from '../../src/notifications/migrations/2026_11_23_000000_notifications_initial.js';
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
import { type HandleTarget, pgliteHandleTarget, postgresHandleTarget } from '../support/handles.js';

export type ContractTargetName = 'in-memory' | 'pglite' | 'postgres';

/** The notifications module as far as these suites need it: its migrations. */
export const notificationsTestModule: AuraModule = {
  name: 'notifications',
  migrations: { '2026_11_23_000000_notifications_initial': notificationsInitial },
};

/**
 * Both SQL back ends, always: PostgreSQL is not optional for these suites (the global setup
 * provides one), so without it they fail rather than skip.
 */
export const sqlTargets: readonly (HandleTarget & { readonly name: 'pglite' | 'postgres' })[] = [
  pgliteHandleTarget,
  postgresHandleTarget,
];

export interface NotificationsDatabase {
  readonly name: 'pglite' | 'postgres';
  // biome-ignore lint/suspicious/noExplicitAny: spans the notifications and platform schemas
  readonly db: Kysely<any>;
  readonly transactions: TransactionManager;
  readonly outbox: KyselyOutbox;
  /** Empties the notifications tables and the outbox. */
  reset(): Promise<void>;
  /** The events in the outbox, in the order they were appended. */
  outboxEvents(): Promise<Array<{ type: string; aggregateId: string; sourceModule: string; data: unknown }>>;
  close(): Promise<void>;
}

export const ids = new UuidV7Generator();

export async function openNotificationsDatabase(
  target: HandleTarget & { readonly name: 'pglite' | 'postgres' },
): Promise<NotificationsDatabase> {
  const database = await target.open();
  try {
    await migrateToLatest(database.handle.db, [platformModule, notificationsTestModule]);
  } catch (error) {
    await database.cleanup();
    throw error;
  }
  const db = database.handle.db;
  const transactions = new TransactionManager(db);
  const outbox = new KyselyOutbox(
    transactions,
    new IntegrationEventRegistry(notificationsEvents),
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
      await sql`TRUNCATE notifications.notifications, notifications.preferences, notifications.receipts, platform.outbox`.execute(
        db,
      );
    },
    outboxEvents: async () => {
      // In the current unit of work, if any (PGlite has one connection: the pool would wait for it).
      const rows = await transactions
        .executor<PlatformDatabase>()
        .selectFrom('platform.outbox')
        .select(['event_type', 'aggregate_id', 'data', 'source_module'])
        .orderBy('position')
        .execute();
      return rows.map((row) => ({
        type: row.event_type,
        aggregateId: row.aggregate_id,
        sourceModule: row.source_module,
        data: row.data,
      }));
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
  readonly sql?: NotificationsDatabase;
  close(): Promise<void>;
}

/**
 * The targets of a contract suite, in order: in-memory, then every SQL back end (see
 * `sqlTargets`: PostgreSQL included, never skipped). `inMemory` builds a harness on fresh
 * in-memory state; `sql` builds one on a database just emptied.
 */
export function contractTargets<H>(build: {
  readonly inMemory: () => H | Promise<H>;
  readonly sql: (database: NotificationsDatabase) => H | Promise<H>;
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
          const database = await openNotificationsDatabase(target);
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
): { readonly sql: NotificationsDatabase | undefined } {
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

/** A complete notification state (a pending email); `overrides` win. */
export function notificationState(overrides: Partial<NotificationState> = {}): NotificationState {
  const id = overrides.id ?? ids.next();
  return {
    id,
    userId: ids.next(),
    channel: 'email',
    recipient: `person-${id.slice(-12)}@example.com`,
    subject: 'Your appointment',
    message: 'Your appointment is tomorrow at 10:30.',
    html: null,
    category: 'reminder',
    priority: 'normal',
    status: 'pending',
    metadata: {},
    templateKey: null,
    locale: null,
    deduplicationKey: null,
    sendAt: at('2026-11-23T10:00:00.000Z'),
    attempts: 0,
    lastError: null,
    claimedUntil: null,
    providerMessageId: null,
    createdAt: at('2026-11-23T09:00:00.000Z'),
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    cancelledAt: null,
    version: 0,
    ...overrides,
  };
}

/** A newly requested notification (`notification.queued` recorded); `overrides` win. */
export function requested(overrides: Partial<NewNotification> = {}, when = at('2026-11-23T09:00:00.123Z')): Notification {
  return Notification.request(
    {
      id: ids.next(),
      userId: ids.next(),
      channel: 'email',
      recipient: 'ada@example.com',
      subject: 'Your appointment',
      message: 'Your appointment is tomorrow at 10:30.',
      category: 'reminder',
      priority: 'normal',
      ...overrides,
    },
    DEFAULT_CONTENT_POLICY,
    when,
  )._unsafeUnwrap();
}
