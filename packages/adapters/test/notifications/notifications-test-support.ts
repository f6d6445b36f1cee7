/**
 * What the notifications contract suites share: the SQL back ends (PGlite and a real
 * PostgreSQL, migrated with the platform and notifications migrations, no Aura), the real
 * outbox, and builders of notifications.
 */
import { notificationsEvents } from '@aura/application/notifications';
import { DEFAULT_CONTENT_POLICY, type NewNotification, Notification, type NotificationState } from '@aura/domain/notifications';
import * as notificationsInitial from '../../src/notifications/migrations/2026_11_23_000000_notifications_initial.js';
import * as notificationsHeldUntil from '../../src/notifications/migrations/2026_12_04_000000_notifications_held_until.js';
import type { AuraModule } from '../../src/platform/aura-module.js';
import {
  at,
  ids,
  type ModuleDatabase,
  moduleContractTargets,
  openModuleDatabase,
  type SqlTarget,
} from '../support/module-contract.js';

export type { ContractTargetName } from '../support/module-contract.js';
export { at, ids, sleep, sqlTargets, useContractTarget } from '../support/module-contract.js';

/** The notifications module as far as these suites need it: its migrations. */
export const notificationsTestModule: AuraModule = {
  name: 'notifications',
  migrations: {
    '2026_11_23_000000_notifications_initial': notificationsInitial,
    '2026_12_04_000000_notifications_held_until': notificationsHeldUntil,
  },
};

export type NotificationsDatabase = ModuleDatabase;

export function openNotificationsDatabase(target: SqlTarget): Promise<NotificationsDatabase> {
  return openModuleDatabase(target, notificationsTestModule, {
    events: notificationsEvents,
    tables: ['notifications.notifications', 'notifications.preferences', 'notifications.receipts'],
  });
}

/** The targets of a notifications contract suite: in-memory, then PGlite and PostgreSQL. */
export function contractTargets<H>(build: {
  readonly inMemory: () => H | Promise<H>;
  readonly sql: (database: NotificationsDatabase) => H | Promise<H>;
}) {
  return moduleContractTargets(openNotificationsDatabase, build);
}

/** A complete notification state (a pending email); `overrides` win. */
export function notificationState(overrides: Partial<NotificationState> = {}): NotificationState {
  const id = overrides.id ?? ids.next();
  return {
    id,
    userId: ids.next(),
    channel: 'email',
    recipient: `person-${id.slice(-12)}@example.com`,
    subject: 'Your appointment',
    message: 'Your appointment is tomorrow at 10:30.',
    html: null,
    category: 'reminder',
    priority: 'normal',
    status: 'pending',
    metadata: {},
    templateKey: null,
    locale: null,
    deduplicationKey: null,
    sendAt: at('2026-11-23T10:00:00.000Z'),
    attempts: 0,
    lastError: null,
    claimedUntil: null,
    heldUntil: null,
    providerMessageId: null,
    createdAt: at('2026-11-23T09:00:00.000Z'),
    sentAt: null,
    deliveredAt: null,
    failedAt: null,
    cancelledAt: null,
    version: 0,
    ...overrides,
  };
}

/** A newly requested notification (`notification.queued` recorded); `overrides` win. */
export function requested(overrides: Partial<NewNotification> = {}, when = at('2026-11-23T09:00:00.123Z')): Notification {
  return Notification.request(
    {
      id: ids.next(),
      userId: ids.next(),
      channel: 'email',
      recipient: 'ada@example.com',
      subject: 'Your appointment',
      message: 'Your appointment is tomorrow at 10:30.',
      category: 'reminder',
      priority: 'normal',
      ...overrides,
    },
    DEFAULT_CONTENT_POLICY,
    when,
  )._unsafeUnwrap();
}
