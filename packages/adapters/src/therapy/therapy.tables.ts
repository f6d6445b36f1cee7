import type {
  BookingPolicy,
  CancellationReason,
  DateOverride,
  FeeReason,
  Modality,
  SessionActor,
  SessionStatus,
  SessionType,
  WaiverReason,
  WeeklyRule,
} from '@aura/domain/therapy';
import type { ColumnType, Selectable } from 'kysely';

/** timestamptz: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** jsonb: node-postgres parses it on read; written as a JSON string. */
type Json<T> = ColumnType<T, string, string>;

export interface TherapistsTable {
  therapist_id: string;
  bio: string;
  specialties: string[];
  languages: string[];
  accepting_new_patients: boolean;
  time_zone: string;
  session_types: Json<SessionType[]>;
  policy: Json<BookingPolicy>;
  weekly_rules: ColumnType<WeeklyRule[], string | undefined, string>;
  overrides: ColumnType<DateOverride[], string | undefined, string>;
  listed: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  patient_id: string;
  therapist_id: string;
  session_type_id: string;
  modality: Modality;
  duration_minutes: number;
  price_minor: number;
  currency: string;
  starts_at: Timestamp;
  ends_at: Timestamp;
  blocked_from: Timestamp;
  blocked_until: Timestamp;
  cancellation_notice_minutes: number;
  no_show_grace_minutes: number;
  status: SessionStatus;
  version: number;
  booked_by: Json<SessionActor>;
  created_at: Timestamp;
  updated_at: Timestamp;
  reschedule_count: number;
  started_at: Timestamp | null;
  completed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  cancelled_by: Json<SessionActor> | null;
  cancellation_reason: CancellationReason | null;
  cancellation_note: string | null;
  cancelled_late: boolean;
  no_show_at: Timestamp | null;
  fee_applies: boolean;
  fee_reason: FeeReason | null;
  fee_waived_at: Timestamp | null;
  fee_waived_by: Json<SessionActor> | null;
  fee_waiver_reason: WaiverReason | null;
  fee_waiver_note: string | null;
}

export interface CalendarTokensTable {
  user_id: string;
  token_hash: string;
  issued_at: Timestamp;
}

/** The therapy module's schema, as its Kysely adapters see it. */
export interface TherapyDb {
  'therapy.therapists': TherapistsTable;
  'therapy.sessions': SessionsTable;
  'therapy.calendar_tokens': CalendarTokensTable;
}

export type TherapistRow = Selectable<TherapistsTable>;
export type SessionRow = Selectable<SessionsTable>;
