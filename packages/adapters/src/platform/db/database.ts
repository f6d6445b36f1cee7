import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

export type DatabaseKind = 'postgres' | 'pglite';

/** An open database: one Kysely instance over PostgreSQL or PGlite, through the same dialect. */
export interface DatabaseHandle {
  readonly kind: DatabaseKind;
  // biome-ignore lint/suspicious/noExplicitAny: each module types its own schema over this instance
  readonly db: Kysely<any>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
  /** `dataDir` is a directory, or `memory://` for an in-memory database. */
  | { readonly kind: 'pglite'; readonly dataDir: string }
  /** An already-open PGlite (tests clone a migrated template). Closed with the handle. */
  | { readonly kind: 'pglite'; readonly instance: PGlite };

export async function openPglite(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(resolve(dataDir), { recursive: true });
  const target = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir, 'pgdata');
  const pglite = await PGlite.create(target, { extensions: { btree_gist } });
  return pglite;
}

/**
 * Opens the database. PGlite goes through node-postgres too (a pool of one connection that
 * serialises queries), so repositories, transactions and migrations run the same code path
 * on both.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === 'postgres') {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      // Fail a request rather than queue forever for a connection; end transactions a bug left open.
      connectionTimeoutMillis: 10_000,
      idle_in_transaction_session_timeout: 60_000,
    });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it. Queries report their own errors.
    });
    const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    return { kind: 'postgres', db, close: () => db.destroy() };
  }
  const pglite = 'instance' in options ? options.instance : await openPglite(options.dataDir);
  const pool = new pg.Pool({ ...createPgConfig(pglite), max: 1 });
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    db,
    close: async () => {
      await db.destroy();
      // Destroying the pool does not close PGlite itself.
      if (!pglite.closed) await pglite.close();
    },
  };
}
