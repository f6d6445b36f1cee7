import { type Kysely, sql } from 'kysely';

// Frozen in time: never import application code here, never edit after release.
// The `notifications` schema exists before this runs (migrateToLatest creates it).
// biome-ignore lint/suspicious/noExplicitAny: migrations run against any schema state
export async function up(db: Kysely<any>): Promise<void> {
  // No foreign key on user_id: users live in another module's schema (and a notification
  // may go to an address that is nobody's account).
  await sql`
    CREATE TABLE notifications.notifications (
      id                  uuid        PRIMARY KEY,
      user_id             uuid,
      channel             text        NOT NULL CHECK (channel IN ('email', 'sms', 'push')),
      recipient           text        NOT NULL,
      subject             text,
      message             text        NOT NULL,
      html                text,
      category            text        NOT NULL CHECK (category IN ('security', 'transactional', 'reminder', 'announcement')),
      priority            text        NOT NULL CHECK (priority IN ('normal', 'critical')),
      status              text        NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'cancelled')),
      metadata            jsonb       NOT NULL,
      template_key        text,
      locale              text,
      deduplication_key   text,
      send_at             timestamptz NOT NULL,
      attempts            integer     NOT NULL CHECK (attempts >= 0),
      last_error          text,
      claimed_until       timestamptz,
      provider_message_id text,
      created_at          timestamptz NOT NULL,
      sent_at             timestamptz,
      delivered_at        timestamptz,
      failed_at           timestamptz,
      cancelled_at        timestamptz,
      version             integer     NOT NULL DEFAULT 0
    )`.execute(db);
  // This index, not a read before the insert, makes a repeated request one notification;
  // inserts name it in ON CONFLICT (so its predicate is part of the contract).
  await sql`
    CREATE UNIQUE INDEX notifications_deduplication_key ON notifications.notifications (deduplication_key)
      WHERE deduplication_key IS NOT NULL`.execute(db);
  // The periodic sweep: pending ones by due time, in (send_at, id) keyset order.
  await sql`CREATE INDEX notifications_due_idx ON notifications.notifications (send_at, id) WHERE status = 'pending'`.execute(db);
  // Lists, newest first (ids are UUIDv7): someone's, an address's, by status. A push token may
  // be 4096 characters, more than a btree entry holds (2704 bytes): the address is indexed by
  // its md5, and queries name both `md5(recipient)` and `recipient`.
  await sql`CREATE INDEX notifications_user_idx ON notifications.notifications (user_id, id DESC)`.execute(db);
  await sql`CREATE INDEX notifications_recipient_idx ON notifications.notifications (md5(recipient), id DESC)`.execute(db);
  await sql`CREATE INDEX notifications_status_idx ON notifications.notifications (status, id DESC)`.execute(db);
  // Statistics over a creation period.
  await sql`CREATE INDEX notifications_created_at_idx ON notifications.notifications (created_at)`.execute(db);

  // One row per person who changed anything; everyone else has the defaults.
  await sql`
    CREATE TABLE notifications.preferences (
      user_id      uuid        PRIMARY KEY,
      channels     jsonb       NOT NULL,
      quiet_hours  jsonb,
      phone_number text,
      push_token   text,
      updated_at   timestamptz
    )`.execute(db);

  // Delivery receipts already applied: the primary key recognises a replayed webhook.
  await sql`
    CREATE TABLE notifications.receipts (
      provider    text        NOT NULL,
      receipt_id  text        NOT NULL,
      received_at timestamptz NOT NULL,
      PRIMARY KEY (provider, receipt_id)
    )`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE notifications.receipts`.execute(db);
  await sql`DROP TABLE notifications.preferences`.execute(db);
  await sql`DROP TABLE notifications.notifications`.execute(db);
}
