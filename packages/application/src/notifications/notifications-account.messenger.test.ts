import type { Email } from '@aura/domain/users';
import { beforeEach, describe, expect, it } from 'vitest';
import { HOUR, type NotificationsTestBed, notificationsTestBed } from '../../test/notifications/fakes.js';
import type { AccountMessage } from '../users/contract.js';
import { NotificationsAccountMessenger } from './notifications-account.messenger.js';

let bed: NotificationsTestBed;

beforeEach(() => {
  bed = notificationsTestBed({ settings: { publicBaseUrl: 'https://x.org/aura' } });
});

const message = (userId: string, token = 'CODE-4242'): AccountMessage => ({
  userId,
  to: 'ana@example.com' as Email,
  displayName: 'Ana Souza',
  locale: 'pt-BR',
  token,
  expiresAt: new Date('2026-11-23T08:00:00.000Z'),
});

async function onlyNotification() {
  const [only, ...others] = (await bed.notifications.list({}, { limit: 10 })).items.map((n) => n.state);
  expect(others).toEqual([]);
  if (only === undefined) throw new Error('nothing was queued');
  return only;
}

describe('NotificationsAccountMessenger', () => {
  it('queues an email verification as a security email with the code and a link under the public address', async () => {
    const user = bed.seedUser({ email: 'ana@example.com', locale: 'pt-BR', timeZone: 'America/Sao_Paulo' });
    await bed.get(NotificationsAccountMessenger).sendEmailVerification(message(user.id));
    const queued = await onlyNotification();
    expect(queued).toMatchObject({
      userId: user.id,
      channel: 'email',
      recipient: 'ana@example.com',
      category: 'security',
      priority: 'normal',
      status: 'pending',
      templateKey: 'account.email-verification',
      locale: 'pt',
      subject: 'Confirme o seu endereço de e-mail',
    });
    expect(queued.message).toContain('Your code: CODE-4242');
    expect(queued.message).toContain('POST https://x.org/aura/api/auth/verify-email ');
    expect(queued.message).toContain('(America/Sao_Paulo)');
  });

  it('queues a password reset the same way', async () => {
    const user = bed.seedUser({ locale: 'en' });
    await bed.get(NotificationsAccountMessenger).sendPasswordReset(message(user.id, 'RESET-1'));
    const queued = await onlyNotification();
    expect(queued).toMatchObject({ category: 'security', templateKey: 'account.password-reset', subject: 'Reset your password' });
    expect(queued.message).toContain('Your code: RESET-1');
    expect(queued.message).toContain('POST https://x.org/aura/api/auth/password-reset/confirm ');
  });

  it('sends account emails to people who opted out of everything they could, and in their quiet hours', async () => {
    const user = bed.seedUser({ timeZone: 'America/Sao_Paulo' });
    await bed.prefer(user.id, {
      channels: { email: { transactional: false, reminder: false, announcement: false } },
      quietHours: { start: '00:00', end: '23:59' },
    });
    await bed.get(NotificationsAccountMessenger).sendEmailVerification(message(user.id));
    const queued = await onlyNotification();
    expect(queued.status).toBe('pending');
    expect(await bed.deliver(queued.id)).toBe('sent');
    expect(bed.email.messages[0]?.text).toContain('Your code: CODE-4242');
  });

  it('keeps a public address that ends with a slash as it is', async () => {
    bed = notificationsTestBed({ settings: { publicBaseUrl: 'https://aura.example.org/' } });
    const user = bed.seedUser();
    await bed.get(NotificationsAccountMessenger).sendEmailVerification(message(user.id));
    expect((await onlyNotification()).message).toContain('POST https://aura.example.org/api/auth/verify-email ');
  });

  it('throws when the email cannot be queued, so the code is rolled back with it', async () => {
    await expect(
      bed.get(NotificationsAccountMessenger).sendEmailVerification(message('0190bbbb-cccc-7ddd-9eee-999999999999')),
    ).rejects.toThrow(
      'the account.email-verification email could not be queued: there is no user 0190bbbb-cccc-7ddd-9eee-999999999999',
    );
    const user = bed.seedUser();
    bed.users.deactivate(user.id);
    await expect(bed.get(NotificationsAccountMessenger).sendPasswordReset(message(user.id))).rejects.toThrow(
      /^the account.password-reset email could not be queued/,
    );
    expect(await bed.count()).toBe(0);
  });

  it('gives every code its own notification (no de-duplication: a new code is a new message)', async () => {
    const user = bed.seedUser();
    await bed.get(NotificationsAccountMessenger).sendEmailVerification(message(user.id, 'A1'));
    bed.clock.advance(HOUR);
    await bed.get(NotificationsAccountMessenger).sendEmailVerification(message(user.id, 'B2'));
    expect(await bed.count()).toBe(2);
  });
});
