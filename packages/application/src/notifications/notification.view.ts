import type {
  Category,
  Channel,
  NotificationMetadata,
  NotificationState,
  NotificationStatus,
  Priority,
} from '@aura/domain/notifications';

/** A notification as callers see it. Security messages (they carry one-time codes) never show their content. */
export interface NotificationView {
  readonly id: string;
  readonly userId: string | null;
  readonly channel: Channel;
  readonly recipient: string;
  readonly subject: string | null;
  /** Null for security messages. */
  readonly message: string | null;
  readonly category: Category;
  readonly priority: Priority;
  readonly status: NotificationStatus;
  readonly metadata: NotificationMetadata;
  readonly templateKey: string | null;
  readonly locale: string | null;
  readonly deduplicationKey: string | null;
  readonly sendAt: Date;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
  readonly deliveredAt: Date | null;
  readonly failedAt: Date | null;
  readonly cancelledAt: Date | null;
}

export function toNotificationView(state: NotificationState): NotificationView {
  const secret = state.category === 'security';
  return {
    id: state.id,
    userId: state.userId,
    channel: state.channel,
    recipient: state.recipient,
    subject: state.subject,
    message: secret ? null : state.message,
    category: state.category,
    priority: state.priority,
    status: state.status,
    metadata: state.metadata,
    templateKey: state.templateKey,
    locale: state.locale,
    deduplicationKey: state.deduplicationKey,
    sendAt: state.sendAt,
    attempts: state.attempts,
    lastError: state.lastError,
    createdAt: state.createdAt,
    sentAt: state.sentAt,
    deliveredAt: state.deliveredAt,
    failedAt: state.failedAt,
    cancelledAt: state.cancelledAt,
  };
}
