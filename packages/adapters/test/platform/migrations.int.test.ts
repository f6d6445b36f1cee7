import { randomBytes } from 'node:crypto';
import { type Kysely, type Migration, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationError, type ModuleMigrations, migrateToLatest, pendingMigrations } from '../../src/platform/db/migrate.js';
import { DatabaseHealth, ModuleHealth } from '../../src/platform/runtime/health.js';
import { handleTargets, type OpenTestDatabase } from '../support/handles.js';

// biome-ignore lint/suspicious/noExplicitAny: migrations are untyped
type AnyDb = Kysely<any>;

/** A module with a schema of its own for each test, so one database serves the whole file. */
const moduleName = (what: string) => `m_${what}_${randomBytes(3).toString('hex')}`;

const createTable = (schema: string, table: string): Migration => ({
  up: async (db: AnyDb) => {
    await sql`CREATE TABLE ${sql.id(schema, table)} (id integer PRIMARY KEY)`.execute(db);
  },
});
const failing = (message: string): Migration => ({
  up: async (db: AnyDb) => {
    await sql`SELECT 1`.execute(db);
    throw new Error(message);
  },
});

async function tablesOf(db: AnyDb, schema: string): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables WHERE table_schema = ${schema} ORDER BY table_name`.execute(db);
  return rows.map((r) => r.table_name);
}

async function schemaExists(db: AnyDb, schema: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM information_schema.schemata WHERE schema_name = ${schema}`.execute(db);
  return rows.length > 0;
}

describe.each(handleTargets)('migrations on $name', (target) => {
  let database: OpenTestDatabase;
  let db: AnyDb;

  beforeAll(async () => {
    database = await target.open();
    db = database.handle.db;
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("brings each module's schema to its latest migration, in name order, once", async () => {
    const name = moduleName('ok');
    const order: string[] = [];
    const module: ModuleMigrations = {
      name,
      migrations: {
        '2026_01_02_000000_second': {
          up: async (d: AnyDb) => {
            order.push('second');
            await sql`ALTER TABLE ${sql.id(name, 'items')} ADD COLUMN label text`.execute(d);
          },
        },
        '2026_01_01_000000_first': {
          up: async (d: AnyDb) => {
            order.push('first');
            await createTable(name, 'items').up(d);
          },
        },
      },
    };
    expect(await pendingMigrations(db, module)).toEqual(['2026_01_01_000000_first', '2026_01_02_000000_second']);

    const applied = await migrateToLatest(db, [module]);
    expect(applied.map((r) => [r.migrationName, r.status])).toEqual([
      ['2026_01_01_000000_first', 'Success'],
      ['2026_01_02_000000_second', 'Success'],
    ]);
    expect(order).toEqual(['first', 'second']);
    // Its own migration table, in its own schema.
    expect(await tablesOf(db, name)).toEqual(['items', 'kysely_migration', 'kysely_migration_lock']);
    expect(await pendingMigrations(db, module)).toEqual([]);

    expect(await migrateToLatest(db, [module])).toEqual([]);
    expect(order).toEqual(['first', 'second']);
  });

  it('migrates modules in the order given, so a module can build on a dependency', async () => {
    const base = moduleName('base');
    const dependent = moduleName('dep');
    const applied = await migrateToLatest(db, [
      { name: base, migrations: { '2026_01_01_000000_base': createTable(base, 'things') } },
      {
        name: dependent,
        migrations: {
          '2026_01_01_000000_view': {
            up: async (d: AnyDb) => {
              await sql`CREATE VIEW ${sql.id(dependent, 'things')} AS SELECT * FROM ${sql.id(base, 'things')}`.execute(d);
            },
          },
        },
      },
    ]);
    expect(applied.map((r) => r.migrationName)).toEqual(['2026_01_01_000000_base', '2026_01_01_000000_view']);
  });

  it('skips a module without migrations: no schema, nothing pending', async () => {
    const name = moduleName('none');
    expect(await migrateToLatest(db, [{ name }, { name, migrations: {} }])).toEqual([]);
    expect(await schemaExists(db, name)).toBe(false);
    expect(await pendingMigrations(db, { name })).toEqual([]);
  });

  it('fails with a MigrationError naming the module and the migration, and applies none of that run', async () => {
    const name = moduleName('bad');
    const module: ModuleMigrations = {
      name,
      migrations: {
        '2026_01_01_000000_fine': createTable(name, 'fine'),
        '2026_01_02_000000_broken': failing('column "nope" does not exist'),
      },
    };
    const error = await migrateToLatest(db, [module]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).name).toBe('MigrationError');
    expect((error as MigrationError).message).toBe(
      `migration 2026_01_02_000000_broken of module "${name}" failed: column "nope" does not exist`,
    );
    expect(((error as MigrationError).cause as Error).message).toBe('column "nope" does not exist');
    expect(await pendingMigrations(db, module)).toContain('2026_01_02_000000_broken');
  });

  it('stops at the failing module: modules after it are not migrated', async () => {
    const bad = moduleName('bad');
    const after = moduleName('after');
    await expect(
      migrateToLatest(db, [
        { name: bad, migrations: { '2026_01_01_000000_broken': failing('boom') } },
        { name: after, migrations: { '2026_01_01_000000_t': createTable(after, 't') } },
      ]),
    ).rejects.toThrow(`of module "${bad}" failed: boom`);
    expect(await pendingMigrations(db, { name: after, migrations: { '2026_01_01_000000_t': createTable(after, 't') } })).toEqual([
      '2026_01_01_000000_t',
    ]);
  });

  it('refuses to run when a migration that already ran is no longer defined', async () => {
    const name = moduleName('gone');
    await migrateToLatest(db, [{ name, migrations: { '2026_01_01_000000_a': createTable(name, 'a') } }]);
    const renamed = { name, migrations: { '2026_01_01_000000_renamed': createTable(name, 'renamed') } };
    const error = await migrateToLatest(db, [renamed]).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(
      new RegExp(`^migration \\(unknown\\) of module "${name}" failed: .*2026_01_01_000000_a`),
    );
    expect(await tablesOf(db, name)).not.toContain('renamed');
  });

  it('reports only the migrations added since the last run as pending', async () => {
    const name = moduleName('grow');
    const first = { '2026_01_01_000000_a': createTable(name, 'a') };
    await migrateToLatest(db, [{ name, migrations: first }]);
    const grown = { name, migrations: { ...first, '2026_02_01_000000_b': createTable(name, 'b') } };
    expect(await pendingMigrations(db, grown)).toEqual(['2026_02_01_000000_b']);
    expect((await migrateToLatest(db, [grown])).map((r) => r.migrationName)).toEqual(['2026_02_01_000000_b']);
  });

  describe('ModuleHealth', () => {
    it('is down, listing the pending migrations, until the module is migrated', async () => {
      const name = moduleName('health');
      const module = { name, migrations: { '2026_01_01_000000_t': createTable(name, 't') } };
      const health = new ModuleHealth(database.handle, module);
      expect(health.name).toBe(`module:${name}`);
      expect(await health.check()).toEqual({ status: 'down', details: { pendingMigrations: ['2026_01_01_000000_t'] } });
      await migrateToLatest(db, [module]);
      expect(await health.check()).toEqual({ status: 'up' });
    });

    it('stops querying once the module is migrated: migrations only move forward', async () => {
      const name = moduleName('cached');
      const module = { name, migrations: { '2026_01_01_000000_t': createTable(name, 't') } };
      await migrateToLatest(db, [module]);
      const handle = { ...database.handle };
      const health = new ModuleHealth(handle, module);
      expect(await health.check()).toEqual({ status: 'up' });
      Object.assign(handle, { db: undefined });
      expect(await health.check()).toEqual({ status: 'up' });
    });

    it('is up for a module without migrations', async () => {
      expect(await new ModuleHealth(database.handle, { name: moduleName('none') }).check()).toEqual({ status: 'up' });
    });
  });

  describe('DatabaseHealth', () => {
    it('is up, naming the kind of database, while the database answers', async () => {
      const health = new DatabaseHealth(database.handle);
      expect(health.name).toBe('database');
      expect(await health.check()).toEqual({ status: 'up', details: { kind: target.name } });
    });

    // Last in this suite: it closes the suite's database.
    it('reads as down, as does every module, once the database is closed', async () => {
      const name = moduleName('closed');
      await database.handle.close();
      const reports = [
        await new DatabaseHealth(database.handle).check(),
        await new ModuleHealth(database.handle, { name, migrations: { '2026_01_01_000000_t': createTable(name, 't') } }).check(),
      ];
      for (const report of reports) expect(report).toEqual({ status: 'down', details: { error: expect.any(String) } });
    });
  });
});

describe.runIf(handleTargets.some((t) => t.name === 'postgres'))('concurrent start-ups on PostgreSQL', () => {
  const postgres = handleTargets.find((t) => t.name === 'postgres');
  let database: OpenTestDatabase;

  beforeAll(async () => {
    database = (await postgres?.open()) as OpenTestDatabase;
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it('both succeed and each migration runs once, whichever process wins the lock', async () => {
    const runs = new Map<string, number>();
    const counted = (name: string, migration: Migration): Migration => ({
      up: async (d: AnyDb) => {
        runs.set(name, (runs.get(name) ?? 0) + 1);
        await migration.up(d);
      },
    });
    const modules: ModuleMigrations[] = ['race_a', 'race_b'].map((name) => ({
      name,
      migrations: {
        '2026_01_01_000000_t': counted(`${name}.t`, createTable(name, 't')),
        '2026_01_02_000000_u': counted(`${name}.u`, createTable(name, 'u')),
      },
    }));
    const connections = await Promise.all([database.reopen?.(), database.reopen?.(), database.reopen?.()]);
    const results = await Promise.all(connections.map((handle) => migrateToLatest(handle?.db as AnyDb, modules)));
    expect(results.flat().filter((r) => r.status === 'Success')).toHaveLength(4);
    expect([...runs.values()]).toEqual([1, 1, 1, 1]);
    for (const module of modules) expect(await pendingMigrations(database.handle.db, module)).toEqual([]);
  });
});
