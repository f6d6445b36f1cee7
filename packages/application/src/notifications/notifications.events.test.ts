import type { DomainEvent } from '@aura/domain/platform';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, type NotificationsTestBed, notificationsTestBed, WEBHOOK_SIGNATURE } from '../../test/notifications/fakes.js';
import { IntegrationEventRegistry } from '../platform/events/integration-event.js';
import { CancelNotification } from './commands/cancel-notification.command.js';
import { RecordDeliveryReceipt } from './commands/record-receipt.command.js';
import {
  notificationCancelled,
  notificationDelivered,
  notificationFailed,
  notificationQueued,
  notificationSent,
  notificationsEvents,
} from './notifications.events.js';

let bed: NotificationsTestBed;

beforeEach(() => {
  bed = notificationsTestBed();
});

const definitionOf = (event: DomainEvent) => {
  const definition = notificationsEvents.find((d) => d.type === event.type && d.version === event.version);
  if (definition === undefined) throw new Error(`no integration event ${event.type}@v${event.version}`);
  return definition;
};

/** Every kind of event a notification records, through the use cases. */
async function everyEvent(): Promise<readonly DomainEvent[]> {
  const user = bed.seedUser({ email: 'ana@example.com' });
  const receipt = (notificationId: string, id: string, status: string) =>
    bed.get(RecordDeliveryReceipt).execute({
      provider: 'email',
      rawBody: JSON.stringify({ id, notificationId, status, reason: 'mailbox full' }),
      signature: WEBHOOK_SIGNATURE,
    });
  const delivered = await bed.send({
    to: { userId: user.id },
    channel: 'email',
    content: { template: 'user.welcome', variables: { displayName: 'Ana' } },
  });
  await bed.deliver(delivered.notification.id);
  await receipt(delivered.notification.id, 'r-1', 'delivered');
  const bounced = await bed.queueEmail({ address: 'bob@example.com' }, { priority: 'critical' });
  await bed.deliver(bounced.id);
  await receipt(bounced.id, 'r-2', 'bounced');
  const rejected = await bed.queueEmail({ userId: user.id }, { category: 'security' });
  bed.email.will({ reject: 'no such mailbox' });
  await bed.deliver(rejected.id);
  const scheduled = await bed.queueEmail({ userId: user.id }, { sendAt: new Date(bed.clock.now().getTime() + HOUR) });
  (await bed.get(CancelNotification).execute({ id: scheduled.id }, 'no longer needed'))._unsafeUnwrap();
  return bed.notifications.published;
}

describe('the notifications integration events', () => {
  it('are one definition per type, version 1, owned by the notifications module, and register together', () => {
    expect(notificationsEvents.map((d) => [d.type, d.version, d.sourceModule])).toEqual([
      ['notification.queued', 1, 'notifications'],
      ['notification.sent', 1, 'notifications'],
      ['notification.delivered', 1, 'notifications'],
      ['notification.failed', 1, 'notifications'],
      ['notification.cancelled', 1, 'notifications'],
    ]);
    expect(notificationsEvents).toEqual([
      notificationQueued,
      notificationSent,
      notificationDelivered,
      notificationFailed,
      notificationCancelled,
    ]);
    expect(new IntegrationEventRegistry(notificationsEvents).types()).toHaveLength(5);
  });

  it('accept, unchanged, every event a notification records, in an envelope too', async () => {
    const events = await everyEvent();
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(notificationsEvents.map((d) => d.type)));
    expect(events.filter((e) => e.type === 'notification.failed').map((e) => (e.data as { bounced: boolean }).bounced)).toEqual([
      true,
      false,
    ]);
    const registry = new IntegrationEventRegistry(notificationsEvents);
    for (const event of events) {
      expect(definitionOf(event).schema.parse(event.data)).toEqual(event.data);
      const envelope = {
        eventId: '0190dddd-bbbb-7ccc-8ddd-000000000001',
        eventType: event.type,
        occurredAt: event.occurredAt.toISOString(),
        sourceModule: 'notifications',
        version: event.version,
        data: JSON.parse(JSON.stringify(event.data)),
        metadata: { correlationId: 'corr-1', causationId: null, userId: null },
      };
      expect(registry.parse(envelope)._unsafeUnwrap().data).toEqual(event.data);
    }
  });

  it('carry neither the message nor the address', async () => {
    const text = JSON.stringify(await everyEvent());
    expect(text).not.toContain('ana@example.com');
    expect(text).not.toContain('bob@example.com');
    expect(text).not.toContain('invoice');
    expect(text).not.toContain('Hello');
  });

  it('refuse data with a key the catalogue does not define', async () => {
    for (const event of await everyEvent()) {
      for (const extra of [{ recipient: 'ana@example.com' }, { message: 'Hello' }]) {
        const result = definitionOf(event).schema.safeParse({ ...(event.data as object), ...extra });
        expect(result.success, `${event.type} took ${Object.keys(extra)[0]}`).toBe(false);
      }
    }
  });

  it('refuse data missing a field or with a malformed one', async () => {
    const events = await everyEvent();
    const data = (type: string) => events.find((e) => e.type === type)?.data as Record<string, unknown>;
    const broken: [(typeof notificationsEvents)[number], Record<string, unknown>][] = [
      [notificationQueued, { ...data('notification.queued'), notificationId: 'n-1' }],
      [notificationQueued, { ...data('notification.queued'), channel: 'fax' }],
      [notificationQueued, { ...data('notification.queued'), sendAt: 'tomorrow' }],
      [notificationSent, { ...data('notification.sent'), attempts: -1 }],
      [notificationDelivered, { ...data('notification.delivered'), priority: 'urgent' }],
      [notificationFailed, { ...data('notification.failed'), bounced: undefined }],
      [notificationCancelled, { ...data('notification.cancelled'), category: 'marketing' }],
      [notificationCancelled, { ...data('notification.cancelled'), userId: 'someone' }],
    ];
    for (const [definition, value] of broken)
      expect(definition.schema.safeParse(value).success, JSON.stringify(value)).toBe(false);
  });
});
