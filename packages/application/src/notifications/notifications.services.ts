import type { Newable } from 'inversify';
import { BulkSend } from './commands/bulk-send.command.js';
import { CancelNotification, CancelUserNotifications } from './commands/cancel-notification.command.js';
import { DeliverNotification } from './commands/deliver-notification.command.js';
import { GetPreferences, UpdatePreferences } from './commands/preferences.command.js';
import { RecordDeliveryReceipt } from './commands/record-receipt.command.js';
import { SendNotification } from './commands/send-notification.command.js';
import {
  CancelOnDeactivation,
  DeliverNotificationProcessor,
  EnqueueDelivery,
  SendWelcomeEmail,
  SweepDueNotifications,
} from './notifications.jobs.js';
import { NotificationsAccountMessenger } from './notifications-account.messenger.js';
import { NotificationsContractService } from './notifications-contract.service.js';
import { GetNotification, GetNotificationStatistics, ListNotifications } from './queries/notifications.queries.js';

/**
 * Every injectable class of the notifications module's application layer, each bound to
 * itself: the adapters' container module and the application tests' container bind the same list.
 */
export const notificationsServices: readonly Newable[] = [
  SendNotification,
  BulkSend,
  DeliverNotification,
  CancelNotification,
  CancelUserNotifications,
  RecordDeliveryReceipt,
  GetPreferences,
  UpdatePreferences,
  GetNotification,
  ListNotifications,
  GetNotificationStatistics,
  DeliverNotificationProcessor,
  EnqueueDelivery,
  SweepDueNotifications,
  SendWelcomeEmail,
  CancelOnDeactivation,
  NotificationsAccountMessenger,
  NotificationsContractService,
];
