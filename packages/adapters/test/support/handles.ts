import { createPostgresDatabase, hasPostgres } from '../../../../test/support/services.js';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.js';

/**
 * An open, empty database on each back end the persistence suites run against: in-memory
 * PGlite always, a fresh PostgreSQL database when the test run has a server. For suites that
 * test the db layer itself and need a `DatabaseHandle` rather than a whole Aura.
 */
export interface OpenTestDatabase {
  readonly handle: DatabaseHandle;
  /** Opens another handle on the same database (PostgreSQL only: PGlite has one connection). */
  readonly reopen?: () => Promise<DatabaseHandle>;
  /** Closes the handle (if still open) and removes the database. */
  cleanup(): Promise<void>;
}

export interface HandleTarget {
  readonly name: 'pglite' | 'postgres';
  open(): Promise<OpenTestDatabase>;
}

export const pgliteHandleTarget: HandleTarget = {
  name: 'pglite',
  async open() {
    const handle = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
    return { handle, cleanup: () => handle.close().catch(() => undefined) };
  },
};

export const postgresHandleTarget: HandleTarget = {
  name: 'postgres',
  async open() {
    const database = await createPostgresDatabase();
    const extra: DatabaseHandle[] = [];
    const reopen = async () => {
      const another = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 4 });
      extra.push(another);
      return another;
    };
    const handle = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 4 });
    return {
      handle,
      reopen,
      cleanup: async () => {
        for (const h of [handle, ...extra]) await h.close().catch(() => undefined);
        await database.drop();
      },
    };
  },
};

export const handleTargets: HandleTarget[] = hasPostgres ? [pgliteHandleTarget, postgresHandleTarget] : [pgliteHandleTarget];
