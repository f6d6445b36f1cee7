/**
 * What every module's contract suites share: the SQL back ends (PGlite and a real PostgreSQL,
 * migrated with the platform and the module's migrations, no Aura), the real outbox, and the
 * wiring that runs one suite against in-memory, PGlite and PostgreSQL.
 */
import { type IntegrationEventDefinition, IntegrationEventRegistry } from '@aura/application/platform';
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
import { type HandleTarget, pgliteHandleTarget, postgresHandleTarget } from './handles.js';

export type ContractTargetName = 'in-memory' | 'pglite' | 'postgres';
export type SqlTarget = HandleTarget & { readonly name: 'pglite' | 'postgres' };

/**
 * Both SQL back ends, always: PostgreSQL is not optional for contract suites (the global setup
 * provides one), so without it they fail rather than skip.
 */
export const sqlTargets: readonly SqlTarget[] = [pgliteHandleTarget, postgresHandleTarget];

export const ids = new UuidV7Generator();

export const at = (iso: string) => new Date(iso);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A migrated database of one module, with the real outbox. */
export interface ModuleDatabase {
  readonly name: 'pglite' | 'postgres';
  // biome-ignore lint/suspicious/noExplicitAny: spans the module's and the platform's schemas
  readonly db: Kysely<any>;
  readonly transactions: TransactionManager;
  readonly outbox: KyselyOutbox;
  /** Empties the module's tables and the outbox. */
  reset(): Promise<void>;
  /** The events in the outbox, in the order they were appended. */
  outboxEvents(): Promise<Array<{ type: string; aggregateId: string; sourceModule: string; data: unknown }>>;
  close(): Promise<void>;
}

/** Opens `target`, migrates the platform and `module`, and wires the outbox for its `events`. */
export async function openModuleDatabase(
  target: SqlTarget,
  module: AuraModule,
  options: { readonly events: readonly IntegrationEventDefinition[]; readonly tables: readonly string[] },
): Promise<ModuleDatabase> {
  const database = await target.open();
  try {
    await migrateToLatest(database.handle.db, [platformModule, module]);
  } catch (error) {
    await database.cleanup();
    throw error;
  }
  const db = database.handle.db;
  const transactions = new TransactionManager(db);
  const outbox = new KyselyOutbox(
    transactions,
    new IntegrationEventRegistry(options.events),
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
      await sql`TRUNCATE ${sql.join([...options.tables, 'platform.outbox'].map((table) => sql.table(table)))}`.execute(db);
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
export interface ContractTarget<H, D extends ModuleDatabase> {
  readonly name: ContractTargetName;
  open(): Promise<ContractBackEnd<H, D>>;
}

export interface ContractBackEnd<H, D extends ModuleDatabase> {
  /** Empties the back end and returns a new harness on it. */
  fresh(): Promise<H>;
  /** The database, on the SQL targets only. */
  readonly sql?: D;
  close(): Promise<void>;
}

/**
 * The targets of a contract suite, in order: in-memory, then every SQL back end (see
 * `sqlTargets`: PostgreSQL included, never skipped), each opened with `openDatabase`.
 * `inMemory` builds a harness on fresh in-memory state; `sql` builds one on a database just emptied.
 */
export function moduleContractTargets<H, D extends ModuleDatabase>(
  openDatabase: (target: SqlTarget) => Promise<D>,
  build: { readonly inMemory: () => H | Promise<H>; readonly sql: (database: D) => H | Promise<H> },
): ContractTarget<H, D>[] {
  return [
    {
      name: 'in-memory',
      open: async () => ({ fresh: async () => build.inMemory(), close: async () => undefined }),
    },
    ...sqlTargets.map(
      (target): ContractTarget<H, D> => ({
        name: target.name,
        open: async () => {
          const database = await openDatabase(target);
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
export function useContractTarget<H, D extends ModuleDatabase>(
  target: ContractTarget<H, D>,
  onFresh: (harness: H) => void,
): { readonly sql: D | undefined } {
  let backEnd: ContractBackEnd<H, D> | undefined;
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
