import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// The `therapy` schema exists before this runs (migrateToLatest creates it).
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  // Equality on uuid inside a GiST exclusion constraint. PGlite loads it as a contrib extension
  // (packages/adapters/src/platform/db/database.ts); PostgreSQL ships it with the server.
  await sql`CREATE EXTENSION IF NOT EXISTS btree_gist`.execute(db);

  // One row per therapist (the users module's id, no foreign key: another module's schema).
  await sql`
    CREATE TABLE therapy.therapists (
      therapist_id           uuid        PRIMARY KEY,
      bio                    text        NOT NULL,
      specialties            text[]      NOT NULL,
      languages              text[]      NOT NULL,
      accepting_new_patients boolean     NOT NULL,
      time_zone              text        NOT NULL,
      session_types          jsonb       NOT NULL,
      policy                 jsonb       NOT NULL,
      weekly_rules           jsonb       NOT NULL DEFAULT '[]',
      overrides              jsonb       NOT NULL DEFAULT '[]',
      listed                 boolean     NOT NULL DEFAULT true,
      created_at             timestamptz NOT NULL,
      updated_at             timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX therapists_specialties_idx ON therapy.therapists USING gin (specialties)`.execute(db);
  await sql`CREATE INDEX therapists_session_types_idx ON therapy.therapists USING gin (session_types jsonb_path_ops)`.execute(db);

  // The two exclusion constraints hold the booking invariant whatever the code does: one
  // therapist's active sessions, with the buffers each was booked with, never overlap; nor one
  // patient's sessions. Half-open ranges: a session may start when the previous one's range ends.
  // A reschedule moves the range in its UPDATE, so the old time is freed only with the new one taken.
  await sql`
    CREATE TABLE therapy.sessions (
      id                          uuid        PRIMARY KEY,
      patient_id                  uuid        NOT NULL,
      therapist_id                uuid        NOT NULL,
      session_type_id             uuid        NOT NULL,
      modality                    text        NOT NULL CHECK (modality IN ('video', 'in_person')),
      duration_minutes            integer     NOT NULL CHECK (duration_minutes > 0),
      price_minor                 integer     NOT NULL CHECK (price_minor >= 0),
      currency                    text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
      starts_at                   timestamptz NOT NULL,
      ends_at                     timestamptz NOT NULL,
      blocked_from                timestamptz NOT NULL,
      blocked_until               timestamptz NOT NULL,
      cancellation_notice_minutes integer     NOT NULL,
      no_show_grace_minutes       integer     NOT NULL,
      status                      text        NOT NULL CHECK (status IN ('scheduled', 'started', 'completed', 'cancelled', 'no_show')),
      version                     integer     NOT NULL CHECK (version >= 1),
      booked_by                   jsonb       NOT NULL,
      created_at                  timestamptz NOT NULL,
      updated_at                  timestamptz NOT NULL,
      reschedule_count            integer     NOT NULL,
      started_at                  timestamptz,
      completed_at                timestamptz,
      cancelled_at                timestamptz,
      cancelled_by                jsonb,
      cancellation_reason         text,
      cancellation_note           text,
      cancelled_late              boolean     NOT NULL,
      no_show_at                  timestamptz,
      fee_applies                 boolean     NOT NULL,
      fee_reason                  text CHECK (fee_reason IN ('late_cancellation', 'late_reschedule', 'no_show')),
      fee_waived_at               timestamptz,
      fee_waived_by               jsonb,
      fee_waiver_reason           text,
      fee_waiver_note             text,
      CHECK (ends_at > starts_at),
      CHECK (blocked_from <= starts_at AND blocked_until >= ends_at),
      CHECK (fee_applies = (fee_reason IS NOT NULL)),
      CONSTRAINT sessions_therapist_no_overlap
        EXCLUDE USING gist (therapist_id WITH =, tstzrange(blocked_from, blocked_until) WITH &&)
        WHERE (status <> 'cancelled'),
      CONSTRAINT sessions_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
        WHERE (status <> 'cancelled')
    )`.execute(db);
  // Lists in order of start (and keyset paging), per patient, per therapist, and for everyone (admins).
  await sql`CREATE INDEX sessions_patient_start_idx ON therapy.sessions (patient_id, starts_at, id)`.execute(db);
  await sql`CREATE INDEX sessions_therapist_start_idx ON therapy.sessions (therapist_id, starts_at, id)`.execute(db);
  await sql`CREATE INDEX sessions_start_idx ON therapy.sessions (starts_at, id)`.execute(db);

  // One calendar feed secret per user; only its hash is kept.
  await sql`
    CREATE TABLE therapy.calendar_tokens (
      user_id    uuid        PRIMARY KEY,
      token_hash text        NOT NULL UNIQUE,
      issued_at  timestamptz NOT NULL
    )`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE therapy.calendar_tokens`.execute(db);
  await sql`DROP TABLE therapy.sessions`.execute(db);
  await sql`DROP TABLE therapy.therapists`.execute(db);
}
