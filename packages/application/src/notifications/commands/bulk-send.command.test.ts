import { beforeEach, describe, expect, it } from 'vitest';
import { actorOf, admin, type NotificationsTestBed, notificationsTestBed } from '../../../test/notifications/fakes.js';
import { BULK_MAX_RECIPIENTS, BulkSend, type BulkSendInput } from './bulk-send.command.js';

let bed: NotificationsTestBed;
let bulk: BulkSend;

beforeEach(() => {
  bed = notificationsTestBed();
  bulk = bed.get(BulkSend);
});

const announcement = (recipients: BulkSendInput['recipients'], extra: Partial<BulkSendInput> = {}): BulkSendInput => ({
  actor: admin,
  recipients,
  channel: 'email',
  content: { subject: 'We moved', message: 'Aura has a new address.' },
  category: 'announcement',
  ...extra,
});

describe('BulkSend', () => {
  it('is for admins only', async () => {
    const user = bed.seedUser();
    const result = await bulk.execute(announcement([{ userId: user.id }], { actor: actorOf(user.id, 'therapist') }));
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'platform.forbidden' });
    expect(await bed.count()).toBe(0);
  });

  it('answers every recipient’s outcome in order, refusing bad ones without refusing the batch, in one transaction', async () => {
    const ana = bed.seedUser();
    const quiet = bed.seedUser();
    const gone = bed.seedUser();
    bed.users.deactivate(gone.id);
    await bed.prefer(quiet.id, { channels: { email: { announcement: false } } });
    const transactions = bed.uow.transactions;
    const result = (
      await bulk.execute(
        announcement([
          { userId: ana.id },
          { address: 'not an address' },
          { userId: quiet.id },
          { address: 'Bob@Example.com' },
          { userId: gone.id },
          { userId: '0190bbbb-cccc-7ddd-9eee-999999999999' },
        ]),
      )
    )._unsafeUnwrap();
    expect(bed.uow.transactions).toBe(transactions + 1);
    const stored = (await bed.notifications.list({}, { limit: 100 })).items.map((n) => n.state).reverse();
    expect(stored.map((n) => [n.recipient, n.status])).toEqual([
      [`user1@example.com`, 'pending'],
      [`user2@example.com`, 'cancelled'],
      ['bob@example.com', 'pending'],
    ]);
    expect(result.results).toEqual([
      { index: 0, outcome: 'queued', notificationId: stored[0]?.id },
      { index: 1, outcome: 'rejected', error: { type: 'notifications.invalid_recipient', message: expect.any(String) } },
      { index: 2, outcome: 'opted_out', notificationId: stored[1]?.id },
      { index: 3, outcome: 'queued', notificationId: stored[2]?.id },
      {
        index: 4,
        outcome: 'rejected',
        error: { type: 'notifications.recipient_inactive', message: 'the recipient’s account is deactivated' },
      },
      { index: 5, outcome: 'rejected', error: { type: 'notifications.recipient_not_found', message: expect.any(String) } },
    ]);
    expect(result.summary).toEqual({ queued: 2, opted_out: 1, duplicate: 0, rejected: 3 });
  });

  it('passes the message’s settings to every send', async () => {
    const sendAt = new Date(bed.clock.now().getTime() + 60_000);
    const result = (
      await bulk.execute(
        announcement([{ address: 'a@example.com' }], {
          content: { template: 'user.welcome', variables: { displayName: 'Ana' } },
          category: undefined,
          priority: 'critical',
          locale: 'pt',
          metadata: { campaign: 'c-1' },
          sendAt,
        }),
      )
    )._unsafeUnwrap();
    const id = result.results[0]?.outcome === 'queued' ? result.results[0].notificationId : '';
    expect(await bed.stored(id)).toMatchObject({
      priority: 'critical',
      locale: 'pt',
      metadata: { campaign: 'c-1' },
      sendAt,
      category: 'transactional',
      deduplicationKey: null,
    });
  });

  it('gives each recipient the key `<key>:<index>`, so the same bulk sent again adds nothing', async () => {
    const recipients = [{ address: 'a@example.com' }, { address: 'b@example.com' }, { userId: bed.seedUser().id }];
    const first = (await bulk.execute(announcement(recipients, { deduplicationKey: 'campaign-7' })))._unsafeUnwrap();
    expect(first.summary).toEqual({ queued: 3, opted_out: 0, duplicate: 0, rejected: 0 });
    const keys = (await bed.notifications.list({}, { limit: 100 })).items.map((n) => n.state.deduplicationKey).sort();
    expect(keys).toEqual(['campaign-7:0', 'campaign-7:1', 'campaign-7:2']);
    const again = (await bulk.execute(announcement(recipients, { deduplicationKey: 'campaign-7' })))._unsafeUnwrap();
    expect(again.results.map((r) => r.outcome)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(again.results.map((r) => (r.outcome === 'rejected' ? null : r.notificationId))).toEqual(
      first.results.map((r) => (r.outcome === 'rejected' ? null : r.notificationId)),
    );
    expect(again.summary).toEqual({ queued: 0, opted_out: 0, duplicate: 3, rejected: 0 });
    expect(await bed.count()).toBe(3);
  });

  it('allows up to 1,000 recipients', () => {
    expect(BULK_MAX_RECIPIENTS).toBe(1_000);
  });
});
