import { beforeEach, describe, expect, it, vi } from 'vitest';
import { DAY, HOUR, type NotificationsTestBed, notificationsTestBed } from '../../../test/notifications/fakes.js';
import { SendNotification, type SendRequest } from './send-notification.command.js';

let bed: NotificationsTestBed;
let send: SendNotification;

beforeEach(() => {
  bed = notificationsTestBed();
  send = bed.get(SendNotification);
});

const welcome = { template: 'user.welcome', variables: { displayName: 'Ana Souza' } };
const reminder = (variables: Record<string, unknown> = {}) => ({
  template: 'appointment.reminder',
  variables: {
    displayName: 'Ana',
    startsAt: '2026-12-01T15:00:00Z',
    withName: 'Dr. Bia Lima',
    url: 'https://aura.example.org/appointments/1',
    ...variables,
  },
});
const written = { subject: 'Your invoice', message: 'Your invoice for November is ready.' };

describe('SendNotification to a user', () => {
  it('stores a pending email to the user’s address, in their language, with its notification.queued event', async () => {
    const ana = bed.seedUser({ email: 'ana@example.com', locale: 'pt-BR' });
    const sent = await bed.send({ to: { userId: ana.id }, channel: 'email', content: welcome, metadata: { source: 'test' } });
    expect(sent.outcome).toBe('queued');
    expect(sent.notification).toMatchObject({
      userId: ana.id,
      channel: 'email',
      recipient: 'ana@example.com',
      subject: 'Bem-vindo(a) à Aura',
      category: 'transactional',
      priority: 'normal',
      status: 'pending',
      templateKey: 'user.welcome',
      locale: 'pt',
      deduplicationKey: null,
      metadata: { source: 'test' },
      sendAt: bed.clock.now(),
      createdAt: bed.clock.now(),
      attempts: 0,
    });
    expect(sent.notification.message).toMatch(/^Olá Ana Souza,/);
    const stored = await bed.stored(sent.notification.id);
    expect(stored.html).toContain('<p>Olá Ana Souza,</p>');
    expect(bed.notifications.published).toEqual([
      {
        type: 'notification.queued',
        version: 1,
        aggregateId: sent.notification.id,
        occurredAt: bed.clock.now(),
        data: {
          notificationId: sent.notification.id,
          userId: ana.id,
          channel: 'email',
          category: 'transactional',
          priority: 'normal',
          templateKey: 'user.welcome',
          sendAt: bed.clock.now().toISOString(),
        },
      },
    ]);
    expect(bed.outbox.appended.map((a) => a.module)).toEqual(['notifications']);
  });

  it.each([
    ['pt-BR', 'pt'],
    ['PT-pt', 'pt'],
    ['pt', 'pt'],
    ['en-GB', 'en'],
    ['de', 'en'],
    ['ja-JP', 'en'],
  ])('renders a template for a user whose language is %s in %s', async (locale, used) => {
    const user = bed.seedUser({ locale });
    const sent = await bed.send({ to: { userId: user.id }, channel: 'email', content: welcome });
    expect(sent.notification.locale).toBe(used);
  });

  it('shows dates in the user’s time zone and language', async () => {
    const user = bed.seedUser({ locale: 'pt-BR', timeZone: 'America/Sao_Paulo' });
    const sent = await bed.send({ to: { userId: user.id }, channel: 'email', content: reminder() });
    const expected = new Intl.DateTimeFormat('pt-BR', {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: 'America/Sao_Paulo',
    }).format(new Date('2026-12-01T15:00:00Z'));
    expect(expected).toContain('12:00');
    expect(sent.notification.subject).toBe(`Lembrete: a sua consulta em ${expected} (America/Sao_Paulo)`);
    expect(sent.notification.message).toContain('Dr. Bia Lima');
  });

  it('sends SMS to the phone number and push to the device of the user’s preferences', async () => {
    const user = bed.seedUser();
    await bed.prefer(user.id, { phoneNumber: '+55 11 91234-5678', pushToken: 'device-token-0123456789' });
    const sms = await bed.send({ to: { userId: user.id }, channel: 'sms', content: reminder() });
    expect(sms.notification).toMatchObject({ recipient: '+5511912345678', channel: 'sms', subject: null, category: 'reminder' });
    const startsAt = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' }).format(
      new Date('2026-12-01T15:00:00Z'),
    );
    expect(sms.notification.message).toBe(
      `Aura: reminder of your appointment on ${startsAt} (UTC). Details: https://aura.example.org/appointments/1`,
    );
    const push = await bed.send({ to: { userId: user.id }, channel: 'push', content: reminder() });
    expect(push.notification).toMatchObject({ recipient: 'device-token-0123456789', channel: 'push' });
    expect((await bed.stored(push.notification.id)).html).toBeNull();
  });

  it.each(['sms', 'push'] as const)('refuses %s to a user with no address for it in their preferences', async (channel) => {
    const user = bed.seedUser();
    const result = await send.execute({ to: { userId: user.id }, channel, content: reminder() });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.no_address', details: { field: 'channel' } });
    expect(result._unsafeUnwrapErr().message).toContain(channel === 'sms' ? 'phone number' : 'push device');
    expect(await bed.count()).toBe(0);
  });

  it('refuses an unknown user, and a deactivated one', async () => {
    const unknown = await send.execute({
      to: { userId: '0190bbbb-cccc-7ddd-9eee-999999999999' },
      channel: 'email',
      content: welcome,
    });
    expect(unknown._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.recipient_not_found', details: { field: 'userId' } });
    const gone = bed.seedUser();
    bed.users.deactivate(gone.id);
    const inactive = await send.execute({ to: { userId: gone.id }, channel: 'email', content: welcome });
    expect(inactive._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.recipient_inactive', details: { field: 'userId' } });
    expect(await bed.count()).toBe(0);
  });

  it('sends to an account still waiting for verification (its verification code goes this way)', async () => {
    const user = bed.seedUser({ status: 'pending_verification', emailVerified: false });
    expect((await bed.send({ to: { userId: user.id }, channel: 'email', content: welcome })).outcome).toBe('queued');
  });
});

describe('SendNotification to a bare address', () => {
  it('normalises the address, and renders a template in the language asked for, in UTC', async () => {
    const sent = await bed.send({
      to: { address: '  Bob@Example.COM ' },
      channel: 'email',
      content: reminder(),
      locale: 'pt-BR',
    });
    expect(sent.notification).toMatchObject({ userId: null, recipient: 'bob@example.com', locale: 'pt' });
    expect(sent.notification.subject).toContain('(UTC)');
    expect(sent.notification.subject).toMatch(/^Lembrete/);
  });

  it('renders English when no language is given', async () => {
    const sent = await bed.send({ to: { address: 'bob@example.com' }, channel: 'email', content: welcome });
    expect(sent.notification.locale).toBe('en');
    expect(sent.notification.subject).toBe('Welcome to Aura');
  });

  it('stores a written message as it is, without a language', async () => {
    const sent = await bed.send({
      to: { address: '+4915112345678' },
      channel: 'sms',
      content: { message: 'Your code is ready.' },
      category: 'transactional',
    });
    expect(sent.notification).toMatchObject({
      subject: null,
      message: 'Your code is ready.',
      templateKey: null,
      locale: null,
      userId: null,
    });
  });

  it('applies no preferences to a bare address', async () => {
    const sent = await bed.send({
      to: { address: 'x@example.com' },
      channel: 'email',
      content: written,
      category: 'announcement',
    });
    expect(sent.outcome).toBe('queued');
  });

  it.each([
    ['email', 'not an address'],
    ['sms', '0151 1234'],
    ['push', 'short'],
  ] as const)('refuses an invalid %s address %j', async (channel, address) => {
    const result = await send.execute({
      to: { address },
      channel,
      content: { message: 'Hello there' },
      category: 'transactional',
    });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.invalid_recipient', details: { field: 'address' } });
    expect(await bed.count()).toBe(0);
  });
});

describe('SendNotification refuses', () => {
  it('a channel without a provider, before anything else', async () => {
    bed = notificationsTestBed({ settings: { channels: { email: true, sms: false, push: true } } });
    const result = await bed
      .get(SendNotification)
      .execute({ to: { address: 'nonsense' }, channel: 'sms', content: { message: 'x' } });
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'notifications.channel_unavailable',
      message: 'no sms provider is configured',
      details: { field: 'channel' },
    });
  });

  it('a written message without a category', async () => {
    const result = await send.execute({ to: { address: 'a@example.com' }, channel: 'email', content: written });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.category_required', details: { field: 'category' } });
  });

  it('a template sent under another category than its own, and accepts its own', async () => {
    const other = await send.execute({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: welcome,
      category: 'announcement',
    });
    expect(other._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.category_required', details: { field: 'category' } });
    expect(other._unsafeUnwrapErr().message).toContain('transactional');
    const same = await send.execute({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: welcome,
      category: 'transactional',
    });
    expect(same._unsafeUnwrap().outcome).toBe('queued');
  });

  it('invalid template variables, naming the variables field', async () => {
    const result = await send.execute({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: { template: 'user.welcome', variables: { displayName: '', url: 'ftp://x.org', extra: 1 } },
    });
    const error = result._unsafeUnwrapErr();
    expect(error).toMatchObject({ type: 'notifications.invalid_template_variables', details: { field: 'variables' } });
    expect(error.message).toContain('displayName');
    expect(error.message).toContain('url');
  });

  it('a template without variables that needs some', async () => {
    const result = await send.execute({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: { template: 'user.welcome' },
    });
    expect(result._unsafeUnwrapErr().type).toBe('notifications.invalid_template_variables');
  });

  it('an unknown template, and a template on a channel it does not have', async () => {
    const unknown = await send.execute({ to: { address: 'a@example.com' }, channel: 'email', content: { template: 'nope' } });
    expect(unknown._unsafeUnwrapErr().type).toBe('notifications.unknown_template');
    const sms = await send.execute({ to: { address: '+4915112345678' }, channel: 'sms', content: welcome });
    expect(sms._unsafeUnwrapErr().type).toBe('notifications.template_channel_unsupported');
  });

  it('forbidden words, on every channel', async () => {
    const result = await send.execute({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: { subject: 'Hello', message: 'This is not SPAM, promise.' },
      category: 'announcement',
    });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      type: 'notifications.forbidden_content',
      details: { field: 'message', word: 'spam' },
    });
  });

  it.each(['sms', 'push'] as const)('clinical words in %s, which an email may carry', async (channel) => {
    const user = bed.seedUser();
    await bed.prefer(user.id, { phoneNumber: '+4915112345678', pushToken: 'device-token-0123456789' });
    const message = 'Your therapy session starts soon.';
    const refused = await send.execute({ to: { userId: user.id }, channel, content: { message }, category: 'reminder' });
    expect(refused._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.not_discreet', details: { term: 'therapy' } });
    const email = await send.execute({
      to: { userId: user.id },
      channel: 'email',
      content: { subject: 'Soon', message },
      category: 'reminder',
    });
    expect(email._unsafeUnwrap().outcome).toBe('queued');
  });

  it('an SMS whose discreet variable (a link) carries a clinical word: the content check is the second line', async () => {
    const result = await send.execute({
      to: { address: '+4915112345678' },
      channel: 'sms',
      content: reminder({ url: 'https://aura.example.org/therapy/1' }),
    });
    expect(result._unsafeUnwrapErr()).toMatchObject({ type: 'notifications.not_discreet', details: { term: 'therapy' } });
    expect(await bed.count()).toBe(0);
  });
});

describe('SendNotification and preferences', () => {
  it('stores a message the user opted out of as cancelled, and says so', async () => {
    const user = bed.seedUser();
    await bed.prefer(user.id, { channels: { email: { announcement: false } } });
    const sent = await bed.send({ to: { userId: user.id }, channel: 'email', content: written, category: 'announcement' });
    expect(sent.outcome).toBe('opted_out');
    expect(sent.notification).toMatchObject({ status: 'cancelled', cancelledAt: bed.clock.now() });
    expect(sent.notification.lastError).toBe('the recipient opted out of announcement messages by email');
    expect(bed.eventTypes(sent.notification.id)).toEqual(['notification.queued', 'notification.cancelled']);
    // Another category on that channel, and that category on another channel, still go.
    expect((await bed.send({ to: { userId: user.id }, channel: 'email', content: written, category: 'reminder' })).outcome).toBe(
      'queued',
    );
  });

  it('sends critical messages and security messages whatever the user opted out of', async () => {
    const user = bed.seedUser();
    await bed.prefer(user.id, { channels: { email: { transactional: false, reminder: false, announcement: false } } });
    const critical = await bed.send({
      to: { userId: user.id },
      channel: 'email',
      content: written,
      category: 'announcement',
      priority: 'critical',
    });
    expect(critical.outcome).toBe('queued');
    expect(critical.notification.priority).toBe('critical');
    const security = await bed.send({ to: { userId: user.id }, channel: 'email', content: written, category: 'security' });
    expect(security.outcome).toBe('queued');
    // Security messages never show their content (they carry codes).
    expect(security.notification.message).toBeNull();
  });
});

describe('SendNotification with a de-duplication key', () => {
  const request = (key: string): SendRequest => ({
    to: { address: 'a@example.com' },
    channel: 'email',
    content: written,
    category: 'transactional',
    deduplicationKey: key,
  });

  it('answers the second request with the first notification, storing nothing new', async () => {
    const first = await bed.send(request('evt-1:invoice'));
    expect(first.outcome).toBe('queued');
    bed.clock.advance(HOUR);
    const second = await bed.send({ ...request('evt-1:invoice'), content: { subject: 'Other', message: 'Another text' } });
    expect(second).toEqual({ outcome: 'duplicate', notification: first.notification });
    expect(await bed.count()).toBe(1);
    expect(bed.eventTypes()).toEqual(['notification.queued']);
    expect((await bed.send(request('evt-2:invoice'))).outcome).toBe('queued');
  });

  it('answers duplicate when another request with the key won the race', async () => {
    const first = await bed.send(request('k'));
    // This request looked before the other one stored its notification.
    vi.spyOn(bed.notifications, 'findByDeduplicationKey').mockResolvedValueOnce(undefined);
    const second = await bed.send(request('k'));
    expect(second).toEqual({ outcome: 'duplicate', notification: first.notification });
    expect(await bed.count()).toBe(1);
  });

  it('throws when the key is taken but its notification cannot be found', async () => {
    await bed.send(request('k'));
    vi.spyOn(bed.notifications, 'findByDeduplicationKey').mockResolvedValue(undefined);
    await expect(send.execute(request('k'))).rejects.toThrow('de-duplication key k is taken');
  });
});

describe('SendNotification scheduling', () => {
  it('keeps a send time in the future, and sends a past one now', async () => {
    const later = new Date(bed.clock.now().getTime() + 3 * DAY);
    const scheduled = await bed.send({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: written,
      category: 'reminder',
      sendAt: later,
    });
    expect(scheduled.notification.sendAt).toEqual(later);
    expect(bed.notifications.published[0]?.data).toMatchObject({ sendAt: later.toISOString() });
    const past = new Date(bed.clock.now().getTime() - HOUR);
    const now = await bed.send({
      to: { address: 'a@example.com' },
      channel: 'email',
      content: written,
      category: 'reminder',
      sendAt: past,
    });
    expect(now.notification.sendAt).toEqual(bed.clock.now());
  });
});

describe('SendNotification and de-duplication keys that cannot be stored', () => {
  it('refuses the key before looking it up', async () => {
    for (const deduplicationKey of ['', 'k'.repeat(256), 'k\u0000']) {
      const result = await send.execute({
        to: { address: 'ana@example.org' },
        channel: 'email',
        content: { subject: 'Hi', message: 'Hello there' },
        category: 'transactional',
        deduplicationKey,
      });
      expect(result._unsafeUnwrapErr()).toMatchObject({
        type: 'notifications.invalid_content',
        details: { field: 'deduplicationKey' },
      });
    }
    expect(await bed.count()).toBe(0);
  });
});
