import type { OneTimeTokenPurpose, UserRole, UserStatus } from '@aura/domain/users';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** jsonb: node-postgres parses it on read; written as a JSON string. */
type Json<T = unknown> = ColumnType<T, string, string>;

export interface UsersTable {
  id: string;
  email: string;
  display_name: string;
  role: UserRole;
  status: UserStatus;
  email_verified_at: Timestamp | null;
  password_hash: string;
  time_zone: string;
  locale: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  deactivated_at: Timestamp | null;
  sessions_revoked_at: Timestamp | null;
  version: Generated<number>;
}

export interface RefreshTokenFamiliesTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  user_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface OneTimeTokensTable {
  token_hash: string;
  user_id: string;
  purpose: OneTimeTokenPurpose;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface LoginThrottleTable {
  /** SHA-256 (hex) of the login key. */
  key: string;
  failures: number;
  window_started_at: Timestamp | null;
  last_failure_at: Timestamp | null;
}

export interface SecurityEventsTable {
  id: string;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  ip: string | null;
  user_agent: string | null;
  correlation_id: string | null;
  details: Json<Record<string, string | number | boolean | null>>;
  occurred_at: Timestamp;
}

/** The users module's schema, as its Kysely adapters see it. */
export interface UsersDb {
  'users.users': UsersTable;
  'users.refresh_token_families': RefreshTokenFamiliesTable;
  'users.refresh_tokens': RefreshTokensTable;
  'users.one_time_tokens': OneTimeTokensTable;
  'users.login_throttle': LoginThrottleTable;
  'users.security_events': SecurityEventsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;
export type UserRowUpdate = Updateable<UsersTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type OneTimeTokenRow = Selectable<OneTimeTokensTable>;
export type SecurityEventRow = Selectable<SecurityEventsTable>;
