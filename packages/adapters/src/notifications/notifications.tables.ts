import type {
  Category,
  Channel,
  ChannelChoices,
  NotificationMetadata,
  NotificationStatus,
  Priority,
  QuietHours,
} from '@aura/domain/notifications';
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** timestamptz: read as a Date, written as a Date or an ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** jsonb: node-postgres parses it on read; written as a JSON string. */
type Json<T = unknown> = ColumnType<T, string, string>;

export interface NotificationsTable {
  id: string;
  user_id: string | null;
  channel: Channel;
  recipient: string;
  subject: string | null;
  message: string;
  html: string | null;
  category: Category;
  priority: Priority;
  status: NotificationStatus;
  metadata: Json<NotificationMetadata>;
  template_key: string | null;
  locale: string | null;
  deduplication_key: string | null;
  send_at: Timestamp;
  attempts: number;
  last_error: string | null;
  claimed_until: Timestamp | null;
  held_until: Timestamp | null;
  provider_message_id: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  failed_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  version: Generated<number>;
}

export interface PreferencesTable {
  user_id: string;
  channels: Json<ChannelChoices>;
  quiet_hours: Json<QuietHours> | null;
  /** E.164. */
  phone_number: string | null;
  push_token: string | null;
  updated_at: Timestamp | null;
}

export interface ReceiptsTable {
  provider: string;
  receipt_id: string;
  received_at: Timestamp;
}

/** The notifications module's schema, as its Kysely adapters see it. */
export interface NotificationsDb {
  'notifications.notifications': NotificationsTable;
  'notifications.preferences': PreferencesTable;
  'notifications.receipts': ReceiptsTable;
}

export type NotificationRow = Selectable<NotificationsTable>;
export type NewNotificationRow = Insertable<NotificationsTable>;
export type NotificationRowUpdate = Updateable<NotificationsTable>;
export type PreferencesRow = Selectable<PreferencesTable>;
export type ReceiptRow = Selectable<ReceiptsTable>;
