import type { ColumnType, Generated, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface OutboxTable {
  /** bigint: node-postgres returns it as a string (Aura does not change pg's global parsers). */
  position: Generated<string>;
  event_id: string;
  event_type: string;
  version: number;
  source_module: string;
  aggregate_id: string;
  occurred_at: Timestamp;
  data: Json;
  metadata: Json<{ correlationId: string; causationId: string | null; userId: string | null }>;
  recorded_at: Generated<Date>;
  published_at: Timestamp | null;
  /** A relay's lease on an unpublished row between claiming it and marking it published. */
  claimed_until: Timestamp | null;
}

export interface InboxTable {
  subscriber: string;
  event_id: string;
  processed_at: Generated<Date>;
}

export interface DeadLettersTable {
  id: string;
  queue: string;
  job_name: string;
  job_id: string;
  data: Json;
  attempts: number;
  last_error: string;
  failed_at: Timestamp;
  replay_count: Generated<number>;
  replayed_at: Timestamp | null;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  status: number | null;
  response_body: Json | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface PlatformDatabase {
  'platform.outbox': OutboxTable;
  'platform.inbox': InboxTable;
  'platform.dead_letters': DeadLettersTable;
  'platform.idempotency_keys': IdempotencyKeysTable;
}

export type OutboxRow = Selectable<OutboxTable>;
export type DeadLetterRow = Selectable<DeadLettersTable>;
