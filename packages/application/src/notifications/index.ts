export type { BulkRecipientOutcome, BulkSendInput, BulkSendResult } from './commands/bulk-send.command.js';
export { BULK_MAX_RECIPIENTS, BulkSend } from './commands/bulk-send.command.js';
export type { CancelError, NotificationInFlight, NotificationNotFound } from './commands/cancel-notification.command.js';
export { CancelNotification, CancelUserNotifications, notificationNotFound } from './commands/cancel-notification.command.js';
export type { AttemptInfo, DeliverJob, DeliveryOutcome } from './commands/deliver-notification.command.js';
export { DELIVER_QUEUE, DeliverNotification, deliveryJobId } from './commands/deliver-notification.command.js';
export { GetPreferences, UpdatePreferences } from './commands/preferences.command.js';
export type {
  DeliveryReceipt,
  InvalidReceipt,
  ReceiptError,
  ReceiptOutcome,
  WebhookUnauthenticated,
} from './commands/record-receipt.command.js';
export { deliveryReceiptSchema, RecordDeliveryReceipt } from './commands/record-receipt.command.js';
export type {
  CategoryRequired,
  ChannelUnavailable,
  NoAddress,
  RecipientInactive,
  RecipientNotFound,
  SendContent,
  SendError,
  SendOutcome,
  SendRequest,
} from './commands/send-notification.command.js';
export { SendNotification } from './commands/send-notification.command.js';
export { NotificationsContract } from './contract.js';
export * from './in-memory/index.js';
export type { NotificationView } from './notification.view.js';
export { toNotificationView } from './notification.view.js';
export {
  notificationCancelled,
  notificationDelivered,
  notificationFailed,
  notificationQueued,
  notificationSent,
  notificationsEvents,
} from './notifications.events.js';
export {
  CancelOnDeactivation,
  DeliverNotificationProcessor,
  DeliveryConcurrency,
  deliveryJob,
  EnqueueDelivery,
  SendWelcomeEmail,
  SWEEP_QUEUE,
  SweepDueNotifications,
  SweepIntervalMs,
  withSlash,
} from './notifications.jobs.js';
export { notificationsServices } from './notifications.services.js';
export { NotificationsAccountMessenger } from './notifications-account.messenger.js';
export { NotificationsContractService } from './notifications-contract.service.js';
export type { ChannelSender, OutgoingMessage, SendReceipt } from './ports/channel-sender.port.js';
export {
  EmailSender,
  isProviderRejected,
  isProviderUnavailable,
  ProviderRejectedError,
  ProviderUnavailableError,
  PushSender,
  SmsSender,
} from './ports/channel-sender.port.js';
export type {
  DailyCounts,
  DeduplicationKeyTaken,
  NotificationListFilter,
  NotificationStatistics,
} from './ports/notification.repository.port.js';
export { ConcurrentNotificationModificationError, NotificationRepository } from './ports/notification.repository.port.js';
export { NotificationsSettings } from './ports/notifications-settings.js';
export { PreferencesRepository } from './ports/preferences.repository.port.js';
export { ReceiptStore } from './ports/receipt.store.port.js';
export type { WebhookRefusal } from './ports/webhook-authenticator.port.js';
export { WebhookAuthenticator } from './ports/webhook-authenticator.port.js';
export type { ListNotificationsInput, NotificationStatisticsView } from './queries/notifications.queries.js';
export { GetNotification, GetNotificationStatistics, ListNotifications } from './queries/notifications.queries.js';
export {
  appointmentReminderTemplate,
  builtInTemplates,
  emailVerificationTemplate,
  passwordResetTemplate,
  welcomeTemplate,
} from './templates/built-in.templates.js';
export type {
  ChannelText,
  InvalidTemplateVariables,
  RenderedMessage,
  RenderInput,
  TemplateChannelUnsupported,
  TemplateDefinition,
  TemplateError,
  UnknownTemplate,
} from './templates/template.js';
export { defineTemplate, TemplateCatalog } from './templates/template.js';
