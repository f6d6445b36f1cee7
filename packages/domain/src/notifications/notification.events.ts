import type { DomainEvent } from '../platform/domain-event.js';
import type { Category, Channel, Priority } from './kinds.js';

/** What every notification event says about its notification. No event carries the message, nor the address. */
export interface NotificationFacts {
  readonly notificationId: string;
  readonly userId: string | null;
  readonly channel: Channel;
  readonly category: Category;
  readonly priority: Priority;
  readonly templateKey: string | null;
}

export type NotificationQueued = DomainEvent<'notification.queued', NotificationFacts & { sendAt: string }>;
export type NotificationSent = DomainEvent<'notification.sent', NotificationFacts & { sentAt: string; attempts: number }>;
export type NotificationDelivered = DomainEvent<'notification.delivered', NotificationFacts & { deliveredAt: string }>;
export type NotificationFailed = DomainEvent<
  'notification.failed',
  NotificationFacts & { failedAt: string; attempts: number; reason: string; bounced: boolean }
>;
export type NotificationCancelled = DomainEvent<
  'notification.cancelled',
  NotificationFacts & { cancelledAt: string; reason: string }
>;

export type NotificationEvent =
  | NotificationQueued
  | NotificationSent
  | NotificationDelivered
  | NotificationFailed
  | NotificationCancelled;
