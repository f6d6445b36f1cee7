import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresDatabase, hasPostgres } from '../../../../test/support/services.js';
import { type AuraConfig, configFrom } from '../../src/platform/config/config.js';

/**
 * The database back ends every persistence suite runs against: PGlite always, PostgreSQL when
 * the test run has one. `config()` returns configuration for a fresh, empty database that
 * stays the same across calls (so a test can "restart" Aura on it); `cleanup()` removes it.
 */
export interface TestDatabaseTarget {
  readonly name: 'pglite' | 'postgres';
  create(
    overrides?: Partial<Record<keyof AuraConfig, string>>,
  ): Promise<{ config: (more?: Partial<Record<keyof AuraConfig, string>>) => AuraConfig; cleanup: () => Promise<void> }>;
}

export const pgliteTarget: TestDatabaseTarget = {
  name: 'pglite',
  async create(overrides = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'aura-pglite-'));
    return {
      config: (more = {}) => configFrom({ AURA_DATA_DIR: dir, ...overrides, ...more }),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

export const postgresTarget: TestDatabaseTarget = {
  name: 'postgres',
  async create(overrides = {}) {
    const database = await createPostgresDatabase();
    return {
      config: (more = {}) => configFrom({ DATABASE_URL: database.url, DATABASE_MIGRATE_ON_START: 'true', ...overrides, ...more }),
      cleanup: database.drop,
    };
  },
};

export const databaseTargets: TestDatabaseTarget[] = hasPostgres ? [pgliteTarget, postgresTarget] : [pgliteTarget];
