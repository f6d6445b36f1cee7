import { beforeEach, describe, expect, it } from 'vitest';
import { DAY, type NotificationsTestBed, notificationsTestBed } from '../../test/notifications/fakes.js';
import { NotificationsContract } from './contract.js';
import { NotificationsContractService } from './notifications-contract.service.js';

let bed: NotificationsTestBed;
let contract: NotificationsContract;

beforeEach(() => {
  bed = notificationsTestBed();
  bed.container.bind(NotificationsContract).toService(NotificationsContractService);
  contract = bed.container.get<NotificationsContract>(NotificationsContract);
});

describe('NotificationsContractService', () => {
  it('sends, and withdraws a scheduled send by the key the caller gave it', async () => {
    const user = bed.seedUser();
    const sendAt = new Date(bed.clock.now().getTime() + DAY);
    const sent = (
      await contract.send({
        to: { userId: user.id },
        channel: 'email',
        content: {
          template: 'appointment.reminder',
          variables: {
            displayName: 'Ana',
            startsAt: sendAt.toISOString(),
            withName: 'Dr. Bia',
            url: 'https://aura.example.org/a/1',
          },
        },
        deduplicationKey: 'evt-1:appointment.reminder:email',
        sendAt,
      })
    )._unsafeUnwrap();
    expect(sent).toMatchObject({ outcome: 'queued', notification: { status: 'pending', sendAt } });
    const cancelled = (await contract.cancel('evt-1:appointment.reminder:email'))._unsafeUnwrap();
    expect(cancelled).toMatchObject({ id: sent.notification.id, status: 'cancelled', lastError: 'cancelled by the sender' });
  });

  it('passes errors through', async () => {
    expect(
      (
        await contract.send({ to: { address: 'nope' }, channel: 'email', content: { message: 'x' }, category: 'transactional' })
      )._unsafeUnwrapErr().type,
    ).toBe('notifications.invalid_recipient');
    expect((await contract.cancel('unknown'))._unsafeUnwrapErr().type).toBe('notifications.notification_not_found');
  });
});
