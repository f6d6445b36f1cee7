import { beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, type NotificationsTestBed, notificationsTestBed, WEBHOOK_SIGNATURE } from '../../../test/notifications/fakes.js';
import type { WebhookRefusal } from '../ports/webhook-authenticator.port.js';
import { CancelNotification } from './cancel-notification.command.js';
import { deliveryReceiptSchema, RecordDeliveryReceipt } from './record-receipt.command.js';

let bed: NotificationsTestBed;
let record: RecordDeliveryReceipt;

beforeEach(() => {
  bed = notificationsTestBed();
  record = bed.get(RecordDeliveryReceipt);
});

const receive = (body: unknown, provider = 'sms', signature = WEBHOOK_SIGNATURE) =>
  record.execute({ provider, rawBody: typeof body === 'string' ? body : JSON.stringify(body), signature });

async function sentSms(): Promise<string> {
  const sent = await bed.send({
    to: { address: '+4915112345678' },
    channel: 'sms',
    content: { message: 'See you soon.' },
    category: 'reminder',
  });
  expect(await bed.deliver(sent.notification.id)).toBe('sent');
  return sent.notification.id;
}

describe('RecordDeliveryReceipt refuses', () => {
  it.each([
    ['unknown_provider', 'no webhook secret is configured for this provider'],
    ['missing_signature', 'the X-Aura-Signature header is missing'],
    ['bad_signature', 'the signature does not match the body'],
    ['stale', 'the signature timestamp is outside the tolerance (a replay?)'],
  ] as const)('a request the authenticator refuses as %s', async (refusal: WebhookRefusal, message) => {
    const id = await sentSms();
    bed.webhooks.refusal = refusal;
    const result = await receive({ id: 'r-1', notificationId: id, status: 'delivered' });
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'notifications.webhook_unauthenticated',
      message,
      details: { reason: refusal },
    });
    expect((await bed.stored(id)).status).toBe('sent');
    // Nothing was recorded: the same receipt, signed, still applies.
    bed.webhooks.refusal = undefined;
    expect((await receive({ id: 'r-1', notificationId: id, status: 'delivered' }))._unsafeUnwrap()).toBe('applied');
  });

  it('checks the signature over the raw body, the provider and the time', async () => {
    const body = '{"id":"r-1"}';
    const unknown = await record.execute({ provider: 'unknown-provider', rawBody: body, signature: 'sig' });
    expect(unknown._unsafeUnwrapErr().details).toEqual({ reason: 'unknown_provider' });
    expect(bed.webhooks.calls).toEqual([{ provider: 'unknown-provider', rawBody: body, signature: 'sig', now: bed.clock.now() }]);
    const unsigned = await record.execute({ provider: 'sms', rawBody: body, signature: undefined });
    expect(unsigned._unsafeUnwrapErr().details).toEqual({ reason: 'missing_signature' });
    expect((await receive(body, 'sms', 'forged'))._unsafeUnwrapErr().details).toEqual({ reason: 'bad_signature' });
  });

  it('a body that is not JSON', async () => {
    const result = await receive('{not json');
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.invalid_receipt' });
    expect(result._unsafeUnwrapErr().message).toMatch(/^not a delivery receipt: \(body\): /);
  });

  it.each([
    { id: 'r-1', status: 'delivered' },
    { id: 'r-1', notificationId: 'not-a-uuid', status: 'delivered' },
    { id: '', notificationId: '0190aaaa-bbbb-7ccc-8ddd-000000000001', status: 'delivered' },
    { id: 'r-1', notificationId: '0190aaaa-bbbb-7ccc-8ddd-000000000001', status: 'opened' },
    { id: 'r-1', notificationId: '0190aaaa-bbbb-7ccc-8ddd-000000000001', status: 'delivered', extra: true },
    { id: 'r-1', notificationId: '0190aaaa-bbbb-7ccc-8ddd-000000000001', status: 'delivered', occurredAt: 'yesterday' },
    [1, 2],
  ])('a receipt of the wrong shape: %j', async (body) => {
    const result = await receive(body);
    expect(result._unsafeUnwrapErr().type).toBe('notifications.invalid_receipt');
  });

  it('names the fields that are wrong', async () => {
    const result = await receive({ id: 'r-1', status: 'delivered' });
    expect(result._unsafeUnwrapErr().message).toContain('notificationId: ');
  });
});

describe('RecordDeliveryReceipt applies', () => {
  it('delivered to a sent notification, at the time the provider says', async () => {
    const id = await sentSms();
    bed.clock.advance(MINUTE);
    const occurredAt = '2026-11-22T08:00:30.000Z';
    expect((await receive({ id: 'r-1', notificationId: id, status: 'delivered', occurredAt }))._unsafeUnwrap()).toBe('applied');
    expect(await bed.stored(id)).toMatchObject({ status: 'delivered', deliveredAt: new Date(occurredAt) });
    expect(bed.eventTypes(id)).toEqual(['notification.queued', 'notification.sent', 'notification.delivered']);
  });

  it('delivered to a notification still pending (the receipt overtook our "sent"): sent, then delivered, now', async () => {
    const sent = await bed.send({
      to: { address: '+4915112345678' },
      channel: 'sms',
      content: { message: 'Hello there' },
      category: 'reminder',
    });
    const id = sent.notification.id;
    expect((await receive({ id: 'r-1', notificationId: id, status: 'delivered' }))._unsafeUnwrap()).toBe('applied');
    expect(await bed.stored(id)).toMatchObject({ status: 'delivered', sentAt: bed.clock.now(), deliveredAt: bed.clock.now() });
    expect(bed.eventTypes(id)).toEqual(['notification.queued', 'notification.sent', 'notification.delivered']);
  });

  it('bounced: the notification failed, with the reason and the provider', async () => {
    const id = await sentSms();
    const applied = await receive({ id: 'r-1', notificationId: id, status: 'bounced', reason: 'number not in service' });
    expect(applied._unsafeUnwrap()).toBe('applied');
    expect(await bed.stored(id)).toMatchObject({ status: 'failed', lastError: 'bounced (sms): number not in service' });
    expect(bed.notifications.published.at(-1)).toMatchObject({ type: 'notification.failed', data: { bounced: true } });
  });

  it('failed without a reason', async () => {
    const id = await sentSms();
    expect((await receive({ id: 'r-1', notificationId: id, status: 'failed' }))._unsafeUnwrap()).toBe('applied');
    expect((await bed.stored(id)).lastError).toBe('failed (sms)');
  });
});

describe('RecordDeliveryReceipt acknowledges and ignores', () => {
  it('a replayed receipt (same provider and id), but not the same id from another provider', async () => {
    const id = await sentSms();
    const receipt = { id: 'r-1', notificationId: id, status: 'delivered' };
    expect((await receive(receipt))._unsafeUnwrap()).toBe('applied');
    expect((await receive({ ...receipt, status: 'bounced' }))._unsafeUnwrap()).toBe('replayed');
    expect((await bed.stored(id)).status).toBe('delivered');
    expect((await receive(receipt, 'push'))._unsafeUnwrap()).toBe('ignored');
  });

  it('a receipt for a notification it does not know', async () => {
    const result = await receive({ id: 'r-1', notificationId: '0190aaaa-bbbb-7ccc-8ddd-999999999999', status: 'delivered' });
    expect(result._unsafeUnwrap()).toBe('unknown_notification');
  });

  it('a receipt that no longer applies (already delivered, cancelled)', async () => {
    const id = await sentSms();
    await receive({ id: 'r-1', notificationId: id, status: 'delivered' });
    expect((await receive({ id: 'r-2', notificationId: id, status: 'bounced' }))._unsafeUnwrap()).toBe('ignored');
    expect((await bed.stored(id)).status).toBe('delivered');
    const cancelled = await bed.send({
      to: { address: '+4915112345678' },
      channel: 'sms',
      content: { message: 'Hello there' },
      category: 'reminder',
      sendAt: new Date(bed.clock.now().getTime() + MINUTE),
    });
    await bed.get(CancelNotification).execute({ id: cancelled.notification.id });
    expect((await receive({ id: 'r-3', notificationId: cancelled.notification.id, status: 'delivered' }))._unsafeUnwrap()).toBe(
      'ignored',
    );
  });
});

describe('deliveryReceiptSchema', () => {
  it('accepts a minimal receipt and a full one', () => {
    const notificationId = '0190aaaa-bbbb-7ccc-8ddd-000000000001';
    expect(deliveryReceiptSchema.parse({ id: 'r', notificationId, status: 'delivered' })).toEqual({
      id: 'r',
      notificationId,
      status: 'delivered',
    });
    const full = { id: 'r', notificationId, status: 'bounced', reason: 'x', occurredAt: '2026-11-22T08:00:00+01:00' };
    expect(deliveryReceiptSchema.parse(full)).toEqual(full);
  });
});

describe('RecordDeliveryReceipt and channels', () => {
  it('lets a provider speak for its own channel only: an SMS receipt cannot mark an email bounced', async () => {
    const mail = await bed.send({
      to: { address: 'ana@example.org' },
      channel: 'email',
      content: { subject: 'Hi', message: 'Hello.' },
      category: 'transactional',
    });
    expect(await bed.deliver(mail.notification.id)).toBe('sent');
    const result = await receive({ id: 'r-x', notificationId: mail.notification.id, status: 'bounced' }, 'sms');
    expect(result._unsafeUnwrap()).toBe('ignored');
    expect((await bed.stored(mail.notification.id)).status).toBe('sent');
  });

  it('points at the first wrong field of a receipt, and refuses text that cannot be stored', async () => {
    const wrong = await receive({ id: 'r-1', notificationId: 'not-a-uuid', status: 'delivered' });
    expect(wrong._unsafeUnwrapErr()).toMatchObject({
      type: 'notifications.invalid_receipt',
      details: { field: 'notificationId' },
    });
    const id = await sentSms();
    const nul = await receive({ id: 'r\u0000', notificationId: id, status: 'delivered' });
    expect(nul._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.invalid_receipt', details: { field: 'id' } });
    const top = await receive('1');
    expect(top._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.invalid_receipt' });
    expect(top._unsafeUnwrapErr().details).toBeUndefined();
  });
});
