/**
 * Access to the real PostgreSQL and Redis that test/global-setup.ts provides. Suites that
 * need one use `describe.runIf(hasPostgres)` / `describe.runIf(hasRedis)`; the global setup
 * has already said loudly which are skipped and what to install.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export const postgresUrl = inject('databaseUrl');
export const redisUrl = inject('redisUrl');
export const hasPostgres = postgresUrl !== null;
export const hasRedis = redisUrl !== null;

/** A unique, valid identifier for per-test resources (database names, queue prefixes). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Creates an empty database on the test server; `drop()` removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (postgresUrl === null) throw new Error('no PostgreSQL for this test run');
  const name = uniqueName('aura_test');
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
