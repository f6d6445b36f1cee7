import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE platform.outbox (
      position      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      event_id      uuid        NOT NULL UNIQUE,
      event_type    text        NOT NULL,
      version       integer     NOT NULL CHECK (version > 0),
      source_module text        NOT NULL,
      aggregate_id  text        NOT NULL,
      occurred_at   timestamptz NOT NULL,
      data          jsonb       NOT NULL,
      metadata      jsonb       NOT NULL,
      recorded_at   timestamptz NOT NULL DEFAULT now(),
      published_at  timestamptz
    )`.execute(db);
  // The relay's work list: small, because published rows leave it.
  await sql`CREATE INDEX outbox_unpublished_idx ON platform.outbox (position) WHERE published_at IS NULL`.execute(db);
  // The redrive's window of recently published events.
  await sql`CREATE INDEX outbox_published_idx ON platform.outbox (published_at)`.execute(db);
  // The audit trail: an aggregate's history, and events of a type over time.
  await sql`CREATE INDEX outbox_aggregate_idx ON platform.outbox (aggregate_id, position)`.execute(db);
  await sql`CREATE INDEX outbox_type_idx ON platform.outbox (event_type, occurred_at)`.execute(db);

  await sql`
    CREATE TABLE platform.inbox (
      subscriber   text        NOT NULL,
      event_id     uuid        NOT NULL,
      processed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (subscriber, event_id)
    )`.execute(db);

  await sql`
    CREATE TABLE platform.dead_letters (
      id           uuid        PRIMARY KEY,
      queue        text        NOT NULL,
      job_name     text        NOT NULL,
      job_id       text        NOT NULL,
      data         jsonb       NOT NULL,
      attempts     integer     NOT NULL,
      last_error   text        NOT NULL,
      failed_at    timestamptz NOT NULL,
      replay_count integer     NOT NULL DEFAULT 0,
      replayed_at  timestamptz,
      UNIQUE (queue, job_id)
    )`.execute(db);
  await sql`CREATE INDEX dead_letters_parked_idx ON platform.dead_letters (id DESC) WHERE replayed_at IS NULL`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE platform.dead_letters`.execute(db);
  await sql`DROP TABLE platform.inbox`.execute(db);
  await sql`DROP TABLE platform.outbox`.execute(db);
}
