import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE platform.idempotency_keys (
      scope         text        NOT NULL,
      key           text        NOT NULL,
      method        text        NOT NULL,
      path          text        NOT NULL,
      fingerprint   text        NOT NULL,
      status        integer,
      response_body jsonb,
      created_at    timestamptz NOT NULL,
      completed_at  timestamptz,
      PRIMARY KEY (scope, key)
    )`.execute(db);
  await sql`CREATE INDEX idempotency_keys_created_idx ON platform.idempotency_keys (created_at)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE platform.idempotency_keys`.execute(db);
}
