import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// A notification held for its recipient's quiet hours says so, and until when: a change of
// preferences releases it (a scheduled send keeps its time).
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE notifications.notifications ADD COLUMN held_until timestamptz`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE notifications.notifications DROP COLUMN held_until`.execute(db);
}
