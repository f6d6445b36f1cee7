/**
 * A PostgreSQL backend terminated under a transaction (`pg_terminate_backend`, what a server
 * restart does to every session): the transaction fails with an ordinary error that names the
 * database as unavailable, the process does not crash (vitest fails a run on an unhandled
 * 'error' event), and the pool replaces the dead client.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test/support/services.js';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.js';
import { TransactionManager } from '../../src/platform/db/transactions.js';
import { unavailableDependency } from '../../src/platform/runtime/outages.js';

describe('losing PostgreSQL connections', () => {
  let database: { url: string; drop: () => Promise<void> };
  let handle: DatabaseHandle;
  let admin: pg.Client;
  const lost: Error[] = [];
  let onLost: (() => void) | undefined;

  beforeAll(async () => {
    database = await createPostgresDatabase();
    handle = await openDatabase({
      kind: 'postgres',
      url: database.url,
      poolSize: 4,
      onConnectionError: (error) => {
        lost.push(error);
        onLost?.();
      },
    });
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin?.end();
    await handle?.close();
    await database?.drop();
  });

  const terminate = (pid: number) => admin.query('SELECT pg_terminate_backend($1)', [pid]);
  const connectionLost = () =>
    new Promise<void>((resolve) => {
      onLost = resolve;
    });

  it('fails a transaction whose backend is terminated between two queries, without crashing, and goes on', async () => {
    const transactions = new TransactionManager(handle.db);
    lost.length = 0;
    const outcome = transactions.transaction(async () => {
      const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(transactions.executor());
      const pid = rows[0]?.pid as number;
      const gone = connectionLost();
      await terminate(pid);
      // The client is idle inside the transaction when the termination arrives: the 'error'
      // event fires with no query in flight (node-postgres has removed the pool's listener).
      await gone;
      await sql`SELECT 1`.execute(transactions.executor());
    });
    const error = await outcome.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(unavailableDependency(error)).toBe('database');
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(unavailableDependency(lost[0])).toBe('database');
    // The pool replaced the client: the next transaction runs.
    const { rows } = await transactions.transaction(() => sql<{ one: number }>`SELECT 1 AS one`.execute(transactions.executor()));
    expect(rows).toEqual([{ one: 1 }]);
  });

  it('fails a query in flight when its backend is terminated, and survives every backend being terminated at once', async () => {
    const transactions = new TransactionManager(handle.db);
    const sleeping = Promise.all(
      Array.from({ length: 4 }, () =>
        transactions
          .transaction(() => sql`SELECT pg_sleep(30)`.execute(transactions.executor()))
          .then(
            () => 'finished',
            (error: unknown) => unavailableDependency(error) ?? String(error),
          ),
      ),
    );
    // Wait until all four sleep, then terminate every session of this database but ours.
    for (;;) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep%' AND state = 'active'",
      );
      if ((rows[0]?.n ?? 0) >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    expect(await sleeping).toEqual(['database', 'database', 'database', 'database']);
    const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
