import { type Kysely, type Migration, type MigrationResult, Migrator, sql } from 'kysely';

export interface ModuleMigrations {
  /** The module name, which is also its Postgres schema. */
  readonly name: string;
  readonly migrations?: Readonly<Record<string, Migration>>;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Key of the session advisory lock that serialises migration runs across processes. */
const MIGRATION_LOCK_KEY = 0x41_75_72_61; // "Aura"

/**
 * Brings every module's schema to its latest migration, in module dependency order. Each
 * module keeps its own migration table in its own schema, so a module can later move to a
 * database of its own with its history.
 *
 * Concurrent start-ups (several processes with DATABASE_MIGRATE_ON_START) are serialised by a
 * session advisory lock held on one connection for the whole run: `CREATE SCHEMA IF NOT
 * EXISTS` and Kysely's own `CREATE TABLE IF NOT EXISTS` for its lock table both race in
 * PostgreSQL (a unique violation in the catalogue), so Kysely's lock alone is not enough.
 */
export async function migrateToLatest(
  // biome-ignore lint/suspicious/noExplicitAny: spans every module's schema
  db: Kysely<any>,
  modules: readonly ModuleMigrations[],
): Promise<MigrationResult[]> {
  // The common case at start-up: nothing to do, found out in two queries rather than a
  // migrator run (lock table, lock, reads) per module.
  if (await upToDate(db, modules)) return [];
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
    try {
      return await migrateModules(connection, modules);
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
    }
  });
}

/**
 * Whether every module's migration table lists exactly the migrations it defines. Anything
 * else (a missing table, a pending migration, an executed one no longer defined) is left to
 * the migrator, which applies or reports it.
 */
async function upToDate(
  // biome-ignore lint/suspicious/noExplicitAny: spans every module's schema
  db: Kysely<any>,
  modules: readonly ModuleMigrations[],
): Promise<boolean> {
  const migrating = modules.filter((m) => Object.keys(m.migrations ?? {}).length > 0);
  if (migrating.length === 0) return true;
  const names = migrating.map((m) => m.name);
  const { rows: tables } = await sql<{ schema: string }>`
    SELECT n.nspname AS schema FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relname = 'kysely_migration' AND n.nspname = ANY(${names})`.execute(db);
  if (tables.length !== migrating.length) return false;
  const reads = migrating.map((m) => sql`SELECT ${m.name}::text AS module, name FROM ${sql.table(`${m.name}.kysely_migration`)}`);
  const { rows } = await sql<{ module: string; name: string }>`${sql.join(reads, sql` UNION ALL `)}`.execute(db);
  return migrating.every((m) => {
    const executed = rows.filter((r) => r.module === m.name).map((r) => r.name);
    const defined = Object.keys(m.migrations ?? {});
    return executed.length === defined.length && defined.every((name) => executed.includes(name));
  });
}

async function migrateModules(
  // biome-ignore lint/suspicious/noExplicitAny: spans every module's schema
  db: Kysely<any>,
  modules: readonly ModuleMigrations[],
): Promise<MigrationResult[]> {
  const applied: MigrationResult[] = [];
  for (const module of modules) {
    const migrations = module.migrations ?? {};
    if (Object.keys(migrations).length === 0) continue;
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(module.name)}`.execute(db);
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => ({ ...migrations }) },
      migrationTableSchema: module.name,
    });
    const { error, results = [] } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results.find((r) => r.status === 'Error');
      throw new MigrationError(
        `migration ${failed?.migrationName ?? '(unknown)'} of module "${module.name}" failed: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    applied.push(...results);
  }
  return applied;
}

/** Names of the migrations a module defines but the database has not run yet. */
export async function pendingMigrations(
  // biome-ignore lint/suspicious/noExplicitAny: spans every module's schema
  db: Kysely<any>,
  module: ModuleMigrations,
): Promise<string[]> {
  const defined = Object.keys(module.migrations ?? {});
  if (defined.length === 0) return [];
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...(module.migrations ?? {}) }) },
    migrationTableSchema: module.name,
  });
  const migrations = await migrator.getMigrations();
  return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
