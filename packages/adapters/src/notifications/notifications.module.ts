import {
  builtInTemplates,
  CancelOnDeactivation,
  DELIVER_QUEUE,
  DeliverNotificationProcessor,
  DeliveryConcurrency,
  EmailSender,
  EnqueueDelivery,
  NotificationRepository,
  NotificationsAccountMessenger,
  NotificationsContract,
  NotificationsContractService,
  NotificationsSettings,
  notificationsEvents,
  notificationsServices,
  PreferencesRepository,
  PushSender,
  ReceiptStore,
  SendWelcomeEmail,
  SmsSender,
  SWEEP_QUEUE,
  SweepDueNotifications,
  SweepIntervalMs,
  TemplateCatalog,
  WebhookAuthenticator,
} from '@aura/application/notifications';
import { AccountMessenger, UsersContract } from '@aura/application/users/contract';
import { ContainerModule } from 'inversify';
import type { AuraModule } from '../platform/aura-module.js';
import type { AuraConfig } from '../platform/config/config.js';
import { DevMailbox } from '../platform/mail/dev-mailbox.js';
import { AuraMetrics } from '../platform/observability/metrics.js';
import { AuraConfigToken } from '../platform/platform.tokens.js';
import { KyselyNotificationRepository } from './kysely-notification.repository.js';
import { KyselyPreferencesRepository } from './kysely-preferences.repository.js';
import { KyselyReceiptStore } from './kysely-receipt.store.js';
import * as initial from './migrations/2026_11_23_000000_notifications_initial.js';
import * as heldUntil from './migrations/2026_12_04_000000_notifications_held_until.js';
import { notificationsSettingsFrom } from './notifications.settings.js';
import { DevMailboxEmailSender } from './senders/dev-mailbox-email.sender.js';
import { ResilientSender } from './senders/resilient.sender.js';
import { SmtpEmailSender } from './senders/smtp-email.sender.js';
import { UnconfiguredSender } from './senders/unconfigured.sender.js';
import { WebhookSender } from './senders/webhook.sender.js';
import { HmacWebhookAuthenticator } from './webhooks/hmac-webhook.authenticator.js';

/** Each provider in a timeout and a circuit breaker, with the configured values. */
function resilient(
  config: AuraConfig,
  metrics: AuraMetrics,
  channel: 'email' | 'sms' | 'push',
  inner: ConstructorParameters<typeof ResilientSender>[0],
) {
  return new ResilientSender(
    inner,
    {
      channel,
      threshold: config.NOTIFICATIONS_BREAKER_THRESHOLD,
      halfOpenAfterMs: config.NOTIFICATIONS_BREAKER_HALF_OPEN_S * 1000,
      timeoutMs: config.NOTIFICATIONS_PROVIDER_TIMEOUT_MS,
    },
    metrics,
  );
}

/**
 * The notifications module: email, SMS and push, delivered by the worker with retries, a
 * circuit breaker per provider, preferences, quiet hours, templates and scheduled sends.
 * It sends the users module's account emails (it rebinds that module's AccountMessenger).
 */
export const notificationsModule: AuraModule = {
  name: 'notifications',
  apiPrefix: 'notifications',
  dependsOn: ['users'],
  requires: [UsersContract],
  provides: [NotificationsContract],
  events: notificationsEvents,
  subscriptions: [
    { subscriber: 'notifications.enqueue-delivery', eventType: 'notification.queued', versions: [1], handler: EnqueueDelivery },
    { subscriber: 'notifications.welcome-email', eventType: 'user.registered', versions: [1], handler: SendWelcomeEmail },
    {
      subscriber: 'notifications.cancel-on-deactivation',
      eventType: 'user.deactivated',
      versions: [1],
      handler: CancelOnDeactivation,
    },
  ],
  jobs: [
    { queue: DELIVER_QUEUE, processor: DeliverNotificationProcessor, concurrency: DeliveryConcurrency },
    { queue: SWEEP_QUEUE, processor: SweepDueNotifications, concurrency: 1, everyMs: SweepIntervalMs },
  ],
  containerModule: new ContainerModule(({ bind, rebind }) => {
    bind(NotificationsSettings).toDynamicValue((context) => notificationsSettingsFrom(context.get<AuraConfig>(AuraConfigToken)));
    bind(DeliveryConcurrency).toDynamicValue(
      (context) => context.get<AuraConfig>(AuraConfigToken).NOTIFICATIONS_DELIVERY_CONCURRENCY,
    );
    bind(SweepIntervalMs).toDynamicValue(
      (context) => context.get<AuraConfig>(AuraConfigToken).NOTIFICATIONS_SWEEP_INTERVAL_S * 1000,
    );
    bind(TemplateCatalog).toDynamicValue(
      (context) => new TemplateCatalog(builtInTemplates, context.get<NotificationsSettings>(NotificationsSettings).contentPolicy),
    );
    bind(NotificationRepository).to(KyselyNotificationRepository);
    bind(PreferencesRepository).to(KyselyPreferencesRepository);
    bind(ReceiptStore).to(KyselyReceiptStore);
    bind(EmailSender)
      .toDynamicValue((context) => {
        const config = context.get<AuraConfig>(AuraConfigToken);
        const inner =
          config.SMTP_URL === undefined
            ? new DevMailboxEmailSender(context.get<DevMailbox>(DevMailbox), config.MAIL_FROM)
            : new SmtpEmailSender({
                url: config.SMTP_URL,
                from: config.MAIL_FROM,
                timeoutMs: config.NOTIFICATIONS_PROVIDER_TIMEOUT_MS,
              });
        return resilient(config, context.get(AuraMetrics), 'email', inner);
      })
      // Closes the SMTP connection pool when Aura closes.
      .onDeactivation((sender) => (sender as ResilientSender).close());
    for (const [token, channel] of [
      [SmsSender, 'sms'],
      [PushSender, 'push'],
    ] as const) {
      bind(token).toDynamicValue((context) => {
        const config = context.get<AuraConfig>(AuraConfigToken);
        const url = channel === 'sms' ? config.NOTIFICATIONS_SMS_URL : config.NOTIFICATIONS_PUSH_URL;
        const secret = channel === 'sms' ? config.NOTIFICATIONS_SMS_SECRET : config.NOTIFICATIONS_PUSH_SECRET;
        if (url === undefined || secret === undefined) return new UnconfiguredSender(channel);
        const inner = new WebhookSender({
          channel,
          provider: `${channel}-webhook`,
          url,
          secret,
          timeoutMs: config.NOTIFICATIONS_PROVIDER_TIMEOUT_MS,
        });
        return resilient(config, context.get(AuraMetrics), channel, inner);
      });
    }
    bind(WebhookAuthenticator).toDynamicValue((context) => {
      const config = context.get<AuraConfig>(AuraConfigToken);
      return new HmacWebhookAuthenticator({
        secrets: {
          sms: config.NOTIFICATIONS_SMS_SECRET,
          push: config.NOTIFICATIONS_PUSH_SECRET,
          email: config.NOTIFICATIONS_EMAIL_WEBHOOK_SECRET,
        },
        toleranceMs: config.NOTIFICATIONS_WEBHOOK_TOLERANCE_S * 1000,
      });
    });
    for (const service of notificationsServices) bind(service).toSelf();
    bind(NotificationsContract).toService(NotificationsContractService);
    // Account emails (verification codes, password resets) go through this module from now on.
    rebind(AccountMessenger).toService(NotificationsAccountMessenger);
  }),
  migrations: {
    '2026_11_23_000000_notifications_initial': initial,
    '2026_12_04_000000_notifications_held_until': heldUntil,
  },
};
