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
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize: number;
      /**
       * A connection died (the server restarted, a backend was terminated), idle or in use. The
       * query or transaction in flight fails with an ordinary error and the pool replaces the
       * client; this only observes it (an outage monitor).
       */
      readonly onConnectionError?: (error: Error) => void;
    }
  /** `dataDir` is a directory, or `memory://` for an in-memory database. */
  | { readonly kind: 'pglite'; readonly dataDir: string }
  /** An already-open PGlite (tests clone a migrated template). Closed with the handle. */
  | { readonly kind: 'pglite'; readonly instance: PGlite };

/**
 * Server settings of the embedded database. PostgreSQL's default 128 MB of shared buffers,
 * zeroed at every start inside the WebAssembly heap, cost about half a second of start-up and
 * 115 MB of resident memory; an embedded database is small, and the operating system still
 * caches its files.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'max_connections=10'];

export async function openPglite(dataDir: string): Promise<PGlite> {
  if (!dataDir.startsWith('memory://')) mkdirSync(resolve(dataDir), { recursive: true });
  const target = dataDir.startsWith('memory://') ? dataDir : resolve(dataDir, 'pgdata');
  const pglite = await PGlite.create(target, {
    extensions: { btree_gist },
    startParams: [...PGlite.defaultStartParams, ...PGLITE_SETTINGS],
  });
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
    const observe = (error: Error) => {
      try {
        options.onConnectionError?.(error);
      } catch {
        // an observer's failure must not change anything
      }
    };
    // node-postgres removes the pool's idle listener while a client is checked out: a backend
    // terminated between two queries of a transaction would then emit 'error' with nobody
    // listening, and Node would crash the process. Every client listens for its whole life;
    // the query in flight (or the next one) fails with an ordinary error, and on release the
    // pool sees the client is no longer queryable and replaces it.
    pool.on('connect', (client) => client.on('error', observe));
    // An idle client lost its connection; the pool replaces it.
    pool.on('error', observe);
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
