import { CATEGORIES, CHANNELS, PRIORITIES } from '@aura/domain/notifications';
import { z } from 'zod';
import { defineIntegrationEvent } from '../platform/events/integration-event.js';

/** What every notification event says (never the message, never the address). */
const facts = {
  notificationId: z.uuid(),
  userId: z.uuid().nullable(),
  channel: z.enum(CHANNELS),
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES),
  templateKey: z.string().nullable(),
};
const instant = z.iso.datetime({ offset: true });

export const notificationQueued = defineIntegrationEvent({
  type: 'notification.queued',
  version: 1,
  sourceModule: 'notifications',
  schema: z.strictObject({ ...facts, sendAt: instant }),
});
export const notificationSent = defineIntegrationEvent({
  type: 'notification.sent',
  version: 1,
  sourceModule: 'notifications',
  schema: z.strictObject({ ...facts, sentAt: instant, attempts: z.number().int().min(0) }),
});
export const notificationDelivered = defineIntegrationEvent({
  type: 'notification.delivered',
  version: 1,
  sourceModule: 'notifications',
  schema: z.strictObject({ ...facts, deliveredAt: instant }),
});
export const notificationFailed = defineIntegrationEvent({
  type: 'notification.failed',
  version: 1,
  sourceModule: 'notifications',
  schema: z.strictObject({
    ...facts,
    failedAt: instant,
    attempts: z.number().int().min(0),
    reason: z.string(),
    bounced: z.boolean(),
  }),
});
export const notificationCancelled = defineIntegrationEvent({
  type: 'notification.cancelled',
  version: 1,
  sourceModule: 'notifications',
  schema: z.strictObject({ ...facts, cancelledAt: instant, reason: z.string() }),
});

export const notificationsEvents = [
  notificationQueued,
  notificationSent,
  notificationDelivered,
  notificationFailed,
  notificationCancelled,
];
