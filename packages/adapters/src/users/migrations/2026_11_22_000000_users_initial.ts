import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// The `users` schema exists before this runs (migrateToLatest creates it).
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE users.users (
      id                  uuid        PRIMARY KEY,
      email               text        NOT NULL,
      display_name        text        NOT NULL,
      role                text        NOT NULL CHECK (role IN ('patient', 'therapist', 'admin')),
      status              text        NOT NULL CHECK (status IN ('pending_verification', 'active', 'deactivated')),
      email_verified_at   timestamptz,
      password_hash       text        NOT NULL,
      time_zone           text        NOT NULL,
      locale              text        NOT NULL,
      created_at          timestamptz NOT NULL,
      updated_at          timestamptz NOT NULL,
      deactivated_at      timestamptz,
      sessions_revoked_at timestamptz,
      version             integer     NOT NULL DEFAULT 0
    )`.execute(db);
  // One account per address, whatever its case: this index, not a read before the insert,
  // is what decides between concurrent registrations of one address.
  await sql`CREATE UNIQUE INDEX users_email_key ON users.users (lower(email))`.execute(db);
  // The admin list: filtered by role and status, in id (creation) order.
  await sql`CREATE INDEX users_role_status_idx ON users.users (role, status, id)`.execute(db);
  await sql`CREATE INDEX users_status_idx ON users.users (status, id)`.execute(db);

  await sql`
    CREATE TABLE users.refresh_token_families (
      id             uuid        PRIMARY KEY,
      user_id        uuid        NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
      created_at     timestamptz NOT NULL,
      revoked_at     timestamptz,
      revoked_reason text,
      ip             text,
      user_agent     text
    )`.execute(db);
  await sql`CREATE INDEX refresh_token_families_live_idx ON users.refresh_token_families (user_id) WHERE revoked_at IS NULL`.execute(
    db,
  );

  await sql`
    CREATE TABLE users.refresh_tokens (
      token_hash text        PRIMARY KEY,
      family_id  uuid        NOT NULL REFERENCES users.refresh_token_families (id) ON DELETE CASCADE,
      user_id    uuid        NOT NULL,
      issued_at  timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at    timestamptz
    )`.execute(db);
  await sql`CREATE INDEX refresh_tokens_family_idx ON users.refresh_tokens (family_id)`.execute(db);

  await sql`
    CREATE TABLE users.one_time_tokens (
      token_hash text        PRIMARY KEY,
      user_id    uuid        NOT NULL REFERENCES users.users (id) ON DELETE CASCADE,
      purpose    text        NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at    timestamptz
    )`.execute(db);
  await sql`CREATE INDEX one_time_tokens_user_purpose_idx ON users.one_time_tokens (user_id, purpose, created_at DESC)`.execute(
    db,
  );

  // Keyed by a SHA-256 (hex) of the login key: the table never holds the addresses people typed.
  await sql`
    CREATE TABLE users.login_throttle (
      key               text        PRIMARY KEY,
      failures          integer     NOT NULL CHECK (failures >= 0),
      window_started_at timestamptz,
      last_failure_at   timestamptz
    )`.execute(db);

  // The security audit trail. No foreign key on user_id: the trail outlives accounts.
  // Ids are UUIDv7, so id order is time order and ids are the paging cursor.
  await sql`
    CREATE TABLE users.security_events (
      id             uuid        PRIMARY KEY,
      type           text        NOT NULL,
      user_id        uuid,
      actor_id       uuid,
      ip             text,
      user_agent     text,
      correlation_id text,
      details        jsonb       NOT NULL,
      occurred_at    timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX security_events_user_idx ON users.security_events (user_id, id DESC)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE users.security_events`.execute(db);
  await sql`DROP TABLE users.login_throttle`.execute(db);
  await sql`DROP TABLE users.one_time_tokens`.execute(db);
  await sql`DROP TABLE users.refresh_tokens`.execute(db);
  await sql`DROP TABLE users.refresh_token_families`.execute(db);
  await sql`DROP TABLE users.users`.execute(db);
}
