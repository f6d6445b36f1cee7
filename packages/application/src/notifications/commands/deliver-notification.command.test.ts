import { SCRUBBED } from '@aura/domain/notifications';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  eventually,
  gate,
  HOUR,
  MINUTE,
  type NotificationsTestBed,
  notificationsTestBed,
  rejectionOf,
  SECOND,
  WEBHOOK_SIGNATURE,
} from '../../../test/notifications/fakes.js';
import { isPostponeJob, type PostponeJob } from '../../platform/ports/job-queue.port.js';
import { ConcurrentNotificationModificationError } from '../ports/notification.repository.port.js';
import { CancelNotification } from './cancel-notification.command.js';
import { DELIVER_QUEUE, DeliverNotification, deliveryJobId } from './deliver-notification.command.js';
import { RecordDeliveryReceipt } from './record-receipt.command.js';

let bed: NotificationsTestBed;

beforeEach(() => {
  bed = notificationsTestBed();
});

async function postponement(promise: Promise<unknown>): Promise<PostponeJob> {
  const error = await rejectionOf(promise);
  expect(isPostponeJob(error), `expected a PostponeJob, got ${String(error)}`).toBe(true);
  return error as PostponeJob;
}

describe('the delivery queue', () => {
  it('is notifications.deliver, one job id per notification and due time', () => {
    expect(DELIVER_QUEUE).toBe('notifications.deliver');
    expect(deliveryJobId('0190aaaa-bbbb-7ccc-8ddd-000000000001', new Date(1_800_000_000_000))).toBe(
      'deliver:0190aaaa-bbbb-7ccc-8ddd-000000000001:1800000000000',
    );
  });
});

describe('DeliverNotification', () => {
  it('hands a pending, due notification to its provider once, outside any transaction, and marks it sent', async () => {
    const user = bed.seedUser({ email: 'ana@example.com' });
    const queued = await bed.queueEmail({ userId: user.id }, { metadata: { invoiceId: 'inv-7' } });
    bed.clock.advance(5 * SECOND);
    expect(await bed.deliver(queued.id)).toBe('sent');
    expect(bed.email.calls).toEqual([
      {
        inTransaction: false,
        message: {
          notificationId: queued.id,
          channel: 'email',
          to: 'ana@example.com',
          subject: 'Your invoice',
          text: 'Your invoice for November is ready.',
          html: null,
          category: 'transactional',
          priority: 'normal',
          metadata: { invoiceId: 'inv-7' },
        },
      },
    ]);
    expect(await bed.stored(queued.id)).toMatchObject({
      status: 'sent',
      sentAt: bed.clock.now(),
      providerMessageId: 'dev-mailbox-1',
      attempts: 1,
      claimedUntil: null,
      lastError: null,
    });
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued', 'notification.sent']);
    expect(bed.notifications.published.at(-1)?.data).toMatchObject({ sentAt: bed.clock.now().toISOString(), attempts: 1 });
  });

  it('hands SMS and push to their own providers, with the html of an email', async () => {
    const sms = await bed.send({
      to: { address: '+4915112345678' },
      channel: 'sms',
      content: { message: 'See you soon.' },
      category: 'reminder',
    });
    const push = await bed.send({
      to: { address: 'device-token-0123456789' },
      channel: 'push',
      content: { message: 'See you soon.' },
      category: 'reminder',
    });
    const email = await bed.send({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: { template: 'user.welcome', variables: { displayName: 'Ana' } },
    });
    expect(await bed.deliver(sms.notification.id)).toBe('sent');
    expect(await bed.deliver(push.notification.id)).toBe('sent');
    expect(await bed.deliver(email.notification.id)).toBe('sent');
    expect(bed.sms.messages.map((m) => m.to)).toEqual(['+4915112345678']);
    expect(bed.push.messages.map((m) => m.to)).toEqual(['device-token-0123456789']);
    expect(bed.email.messages[0]?.html).toContain('<p>Hello Ana,</p>');
    expect((await bed.stored(sms.notification.id)).providerMessageId).toBe('sms-webhook-1');
  });

  it('keeps a provider message id of null when the provider gives none', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.will({ succeed: null });
    expect(await bed.deliver(queued.id)).toBe('sent');
    expect((await bed.stored(queued.id)).providerMessageId).toBeNull();
  });

  it('postpones a notification not yet due until it is, without counting an attempt', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' }, { sendAt: new Date(bed.clock.now().getTime() + HOUR) });
    bed.clock.advance(10 * MINUTE);
    const postponed = await postponement(bed.deliver(queued.id));
    expect(postponed.delayMs).toBe(50 * MINUTE);
    expect(postponed.message).toBe('not due yet');
    expect(bed.email.calls).toEqual([]);
    expect((await bed.stored(queued.id)).attempts).toBe(0);
    bed.clock.advance(50 * MINUTE);
    expect(await bed.deliver(queued.id)).toBe('sent');
  });

  it('postpones a notification another attempt holds until its claim lapses, then sends it (a dead worker’s claim)', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    await bed.claim(queued.id);
    bed.clock.advance(30 * SECOND);
    const postponed = await postponement(bed.deliver(queued.id));
    expect(postponed.delayMs).toBe(90 * SECOND);
    expect(postponed.message).toBe('another attempt holds it');
    expect(bed.email.calls).toEqual([]);
    bed.clock.advance(90 * SECOND);
    expect(await bed.deliver(queued.id, 2)).toBe('sent');
    expect((await bed.stored(queued.id)).attempts).toBe(2);
  });

  it('postpones while the provider’s circuit is open, without calling it or counting an attempt', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.setUnavailableFor(25 * SECOND);
    const postponed = await postponement(bed.deliver(queued.id));
    expect(postponed.delayMs).toBe(25 * SECOND);
    expect(postponed.message).toBe("the email provider's circuit is open");
    expect(bed.email.calls).toEqual([]);
    expect(await bed.stored(queued.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null });
  });

  it('postpones when the breaker refuses the call itself, giving the attempt back and releasing the claim', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.will({ unavailable: 'circuit open', retryAfterMs: 20 * SECOND }, { unavailable: 'circuit open', retryAfterMs: 10 });
    const postponed = await postponement(bed.deliver(queued.id));
    expect(postponed.delayMs).toBe(20 * SECOND);
    expect(postponed.message).toBe('dev-mailbox: ProviderUnavailableError: circuit open');
    expect(await bed.stored(queued.id)).toMatchObject({ status: 'pending', attempts: 0, claimedUntil: null, lastError: null });
    // Never sooner than a second.
    expect((await postponement(bed.deliver(queued.id))).delayMs).toBe(SECOND);
    expect(await bed.deliver(queued.id)).toBe('sent');
    expect((await bed.stored(queued.id)).attempts).toBe(1);
  });

  it('rethrows a failure worth retrying, keeping the error, counting the attempt and releasing the claim', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    const failure = new Error('connection reset');
    bed.email.will({ fail: failure });
    expect(await rejectionOf(bed.deliver(queued.id, 1))).toBe(failure);
    expect(await bed.stored(queued.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'connection reset',
      claimedUntil: null,
    });
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued']);
    // The queue's retry finds it free at once.
    expect(await bed.deliver(queued.id, 2)).toBe('sent');
    expect(await bed.stored(queued.id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it.each([
    ['an error of another kind with its name', new TypeError('fetch failed'), 'TypeError: fetch failed'],
    ['a thrown string as it is', 'a bare string', 'a bare string'],
    ['a long message cut at 1,000 characters', new Error('x'.repeat(5_000)), 'x'.repeat(1_000)],
  ])('keeps %s', async (_, thrown, kept) => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.will({ fail: thrown });
    await rejectionOf(bed.deliver(queued.id));
    expect((await bed.stored(queued.id)).lastError).toBe(kept);
  });

  it('marks it failed when the last attempt fails, records notification.failed and logs it without the address', async () => {
    const queued = await bed.queueEmail({ address: 'ana@example.com' });
    const attempts = bed.settings.maxAttempts;
    bed.email.will(...Array.from({ length: attempts }, () => ({ fail: new Error('timeout') })));
    for (let attempt = 1; attempt < attempts; attempt += 1) {
      await rejectionOf(bed.deliver(queued.id, attempt));
      bed.clock.advance(MINUTE);
    }
    expect(await bed.deliver(queued.id, attempts)).toBe('failed');
    expect(bed.email.calls).toHaveLength(attempts);
    expect(await bed.stored(queued.id)).toMatchObject({
      status: 'failed',
      failedAt: bed.clock.now(),
      attempts,
      lastError: 'timeout',
      claimedUntil: null,
    });
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued', 'notification.failed']);
    expect(bed.notifications.published.at(-1)?.data).toMatchObject({ attempts, reason: 'timeout', bounced: false });
    const warning = bed.logger.entries.find((e) => e.message === 'notification failed');
    expect(warning).toEqual({
      level: 'warn',
      message: 'notification failed',
      fields: { notificationId: queued.id, provider: 'dev-mailbox', reason: 'timeout', attempt: attempts },
    });
    expect(JSON.stringify(bed.logger.entries)).not.toContain('ana@example.com');
  });

  it('marks it failed at once when the provider rejects it', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.will({ reject: 'mailbox unknown' });
    expect(await bed.deliver(queued.id, 1)).toBe('failed');
    expect(await bed.stored(queued.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'ProviderRejectedError: mailbox unknown',
    });
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued', 'notification.failed']);
  });

  it('removes a security message’s content once it is sent (it carried a code)', async () => {
    const user = bed.seedUser();
    const sent = await bed.send({
      to: { userId: user.id },
      channel: 'email',
      content: {
        template: 'account.email-verification',
        variables: {
          displayName: 'Ana',
          code: 'CODE-4242',
          url: 'https://aura.example.org/v',
          expiresAt: '2026-11-23T08:00:00Z',
        },
      },
    });
    expect(await bed.stored(sent.notification.id)).toMatchObject({ message: expect.stringContaining('Your code: CODE-4242') });
    expect(await bed.deliver(sent.notification.id)).toBe('sent');
    expect(bed.email.messages[0]?.text).toContain('Your code: CODE-4242');
    expect(bed.email.messages[0]?.html).toContain('CODE-4242');
    expect(await bed.stored(sent.notification.id)).toMatchObject({ status: 'sent', message: SCRUBBED, html: null });
  });
});

describe('DeliverNotification and the recipient’s wishes now', () => {
  it('cancels it when the account was deactivated since it was queued', async () => {
    const user = bed.seedUser();
    const queued = await bed.queueEmail({ userId: user.id });
    bed.users.deactivate(user.id);
    expect(await bed.deliver(queued.id)).toBe('cancelled_inactive');
    expect(bed.email.calls).toEqual([]);
    expect(await bed.stored(queued.id)).toMatchObject({
      status: 'cancelled',
      lastError: 'the recipient’s account is deactivated',
      attempts: 0,
    });
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued', 'notification.cancelled']);
  });

  it('cancels it when the account is gone', async () => {
    const user = bed.seedUser();
    const queued = await bed.queueEmail({ userId: user.id });
    bed.users.remove(user.id);
    expect(await bed.deliver(queued.id)).toBe('cancelled_inactive');
  });

  it('cancels it when the recipient opted out since, security messages excepted', async () => {
    const user = bed.seedUser();
    const queued = await bed.queueEmail({ userId: user.id });
    const security = await bed.queueEmail({ userId: user.id }, { category: 'security' });
    await bed.prefer(user.id, { channels: { email: { transactional: false } } });
    expect(await bed.deliver(queued.id)).toBe('cancelled_opted_out');
    expect(await bed.stored(queued.id)).toMatchObject({
      status: 'cancelled',
      lastError: 'the recipient opted out of transactional messages by email',
    });
    expect(await bed.deliver(security.id)).toBe('sent');
    expect(bed.email.messages.map((m) => m.notificationId)).toEqual([security.id]);
  });

  describe('quiet hours', () => {
    // 08:00 UTC is 05:00 in São Paulo (UTC−3), inside 22:00–07:00; they end at 10:00 UTC.
    const quietEnd = new Date('2026-11-22T10:00:00.000Z');

    beforeEach(() => {
      bed.moveTo('2026-11-22T08:00:00.250Z');
    });

    it('holds a message until they end, then sends it', async () => {
      const user = bed.seedUser({ timeZone: 'America/Sao_Paulo' });
      await bed.prefer(user.id, { quietHours: { start: '22:00', end: '07:00' } });
      const queued = await bed.queueEmail({ userId: user.id });
      const postponed = await postponement(bed.deliver(queued.id));
      expect(postponed.delayMs).toBe(quietEnd.getTime() - bed.clock.now().getTime());
      expect(postponed.message).toBe('the recipient’s quiet hours');
      expect(await bed.stored(queued.id)).toMatchObject({ status: 'pending', sendAt: quietEnd, attempts: 0, claimedUntil: null });
      expect(bed.email.calls).toEqual([]);
      bed.clock.advance(HOUR);
      expect((await postponement(bed.deliver(queued.id))).message).toBe('not due yet');
      bed.moveTo(quietEnd);
      expect(await bed.deliver(queued.id)).toBe('sent');
    });

    it('sends at once outside them', async () => {
      const user = bed.seedUser({ timeZone: 'Asia/Tokyo' }); // 17:00 there
      await bed.prefer(user.id, { quietHours: { start: '22:00', end: '07:00' } });
      const queued = await bed.queueEmail({ userId: user.id });
      expect(await bed.deliver(queued.id)).toBe('sent');
    });

    it('do not hold critical and security messages', async () => {
      const user = bed.seedUser({ timeZone: 'America/Sao_Paulo' });
      await bed.prefer(user.id, { quietHours: { start: '22:00', end: '07:00' }, channels: { email: { announcement: false } } });
      const critical = await bed.queueEmail({ userId: user.id }, { category: 'announcement', priority: 'critical' });
      const security = await bed.queueEmail({ userId: user.id }, { category: 'security' });
      expect(await bed.deliver(critical.id)).toBe('sent');
      expect(await bed.deliver(security.id)).toBe('sent');
    });
  });
});

describe('DeliverNotification when there is nothing to do', () => {
  it('does not send a notification already sent, or cancelled, or unknown', async () => {
    const sent = await bed.queueEmail({ address: 'a@example.com' });
    expect(await bed.deliver(sent.id)).toBe('sent');
    expect(await bed.deliver(sent.id)).toBe('not_pending');
    const scheduled = await bed.queueEmail({ address: 'a@example.com' });
    (await bed.get(CancelNotification).execute({ id: scheduled.id }))._unsafeUnwrap();
    expect(await bed.deliver(scheduled.id)).toBe('not_pending');
    expect(await bed.deliver('0190aaaa-bbbb-7ccc-8ddd-999999999999')).toBe('missing');
    expect(bed.email.calls).toHaveLength(1);
  });
});

describe('DeliverNotification run twice at once', () => {
  it('sends once: the attempt in flight holds the notification, the other is postponed for its claim', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    const slow = gate();
    bed.email.will({ wait: slow.wait });
    const first = bed.deliver(queued.id);
    await eventually(() => bed.email.calls.length === 1);
    bed.clock.advance(20 * SECOND);
    const second = await postponement(bed.deliver(queued.id));
    expect(second.delayMs).toBe(bed.settings.claimMs - 20 * SECOND);
    expect(second.message).toBe('another attempt holds it');
    slow.open();
    expect(await first).toBe('sent');
    expect(bed.email.calls).toHaveLength(1);
    expect((await bed.stored(queued.id)).attempts).toBe(1);
  });

  it('sends once when both start together (the row lock, then the claim)', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    const [a, b] = await Promise.allSettled([bed.deliver(queued.id), bed.deliver(queued.id)]);
    expect(a).toEqual({ status: 'fulfilled', value: 'sent' });
    expect(b.status === 'rejected' && isPostponeJob(b.reason)).toBe(true);
    expect(bed.email.calls).toHaveLength(1);
  });

  it('sends once even without row locks: the second save of the same version is refused', async () => {
    bed = notificationsTestBed({ unitOfWork: 'direct' });
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    const outcomes = await Promise.allSettled([bed.deliver(queued.id), bed.deliver(queued.id)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)).toEqual(['sent']);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ConcurrentNotificationModificationError);
    expect(bed.email.calls).toHaveLength(1);
  });
});

describe('DeliverNotification when the notification changed during the attempt', () => {
  it('leaves alone one a delivery receipt overtook, and says so', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    const slow = gate();
    bed.email.will({ wait: slow.wait });
    const attempt = bed.deliver(queued.id);
    await eventually(() => bed.email.calls.length === 1);
    const receipt = JSON.stringify({ id: 'r-1', notificationId: queued.id, status: 'delivered' });
    const applied = await bed
      .get(RecordDeliveryReceipt)
      .execute({ provider: 'email', rawBody: receipt, signature: WEBHOOK_SIGNATURE });
    expect(applied._unsafeUnwrap()).toBe('applied');
    slow.open();
    expect(await attempt).toBe('not_pending');
    expect((await bed.stored(queued.id)).status).toBe('delivered');
    expect(bed.logger.entries).toContainEqual({
      level: 'warn',
      message: 'an attempt ended after its notification left pending',
      fields: { notificationId: queued.id, status: 'delivered' },
    });
  });

  // BUG (fixed in deliver-notification.command.ts): the provider call and the recording of its
  // success shared one try block, so a database fault while marking it sent was taken for a
  // provider failure: on the last attempt a message the provider had accepted was marked failed.
  it.each([1, 5])('does not blame the provider when recording its success fails (attempt %i of 5)', async (attempt) => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    const fault = new Error('database connection lost');
    bed.email.will({
      run: async () => {
        vi.spyOn(bed.notifications, 'save').mockRejectedValueOnce(fault);
        return { providerMessageId: 'p-1' };
      },
    });
    expect(await rejectionOf(bed.deliver(queued.id, attempt))).toBe(fault);
    // As when a worker dies after the provider accepted: the claim holds it until it lapses.
    expect(await bed.stored(queued.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: null });
    expect((await bed.stored(queued.id)).claimedUntil).toEqual(new Date(bed.clock.now().getTime() + bed.settings.claimMs));
    expect(bed.eventTypes(queued.id)).toEqual(['notification.queued']);
    expect(bed.logger.entries.filter((e) => e.message === 'notification failed')).toEqual([]);
  });

  it('answers missing when the notification vanished meanwhile', async () => {
    const queued = await bed.queueEmail({ address: 'a@example.com' });
    bed.email.will({
      run: async () => {
        vi.spyOn(bed.notifications, 'findById').mockResolvedValue(undefined);
        return { providerMessageId: 'x' };
      },
    });
    expect(await bed.get(DeliverNotification).execute(queued.id, { attempt: 1, maxAttempts: 5 })).toBe('missing');
  });
});
