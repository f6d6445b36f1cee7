import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// The relay claims a batch (a lease), enqueues it outside any transaction, then marks it
// published: no transaction waits on the queue.
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE platform.outbox ADD COLUMN claimed_until timestamptz`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE platform.outbox DROP COLUMN claimed_until`.execute(db);
}
