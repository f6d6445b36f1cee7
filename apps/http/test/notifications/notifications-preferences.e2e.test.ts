/**
 * A person's notification preferences over HTTP: defaults, partial changes, validation, opt-outs
 * (and what `critical` and `security` messages do about them), and quiet hours in the person's
 * own time zone.
 */
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUser, bearer, expectProblem, type RegisteredUser, type TestAura, type Tokens } from '../users/users-e2e-support.js';
import {
  devMails,
  getNotification,
  loggedInPatient,
  perTarget,
  startNotificationsAura,
  TARGETS,
  waitForDevMail,
  waitForNotification,
  waitForStatus,
} from './notifications-e2e-support.js';

const DEFAULT_CHOICES = { transactional: true, reminder: true, announcement: true };

/** `HH:MM` on the wall clock of `timeZone`. */
function wallClock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

const MINUTE_MS = 60_000;

const setups = perTarget(
  async (target) => {
    const t = await startNotificationsAura(target);
    try {
      return { t, admin: await adminUser(t.aura, t.app) };
    } catch (error) {
      await t.close();
      throw error;
    }
  },
  ({ t }) => t.close(),
);
afterAll(() => setups.close());

describe.each(TARGETS)('notification preferences (%s)', (target) => {
  let t: TestAura;
  let admin: RegisteredUser & Tokens;

  beforeAll(async () => {
    ({ t, admin } = await setups.get(target));
  });

  const put = (token: string, body: unknown) =>
    request(t.app)
      .put('/api/notifications/preferences')
      .set(bearer(token))
      .send(body as object);
  const get = (token: string) => request(t.app).get('/api/notifications/preferences').set(bearer(token));
  const send = (body: Record<string, unknown>) =>
    request(t.app).post('/api/notifications').set(bearer(admin.accessToken)).send(body);

  it('starts with everything wanted, no quiet hours and no addresses', async () => {
    const user = await loggedInPatient(t.app);
    const res = await get(user.accessToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({
      channels: { email: DEFAULT_CHOICES, sms: DEFAULT_CHOICES, push: DEFAULT_CHOICES },
      quietHours: null,
      phoneNumber: null,
      pushToken: null,
      updatedAt: null,
    });
  });

  it('changes only what is sent', async () => {
    const user = await loggedInPatient(t.app);
    const other = await loggedInPatient(t.app);
    const optedOut = await put(user.accessToken, { channels: { email: { announcement: false } } });
    expect(optedOut.status, JSON.stringify(optedOut.body)).toBe(200);
    expect(optedOut.body.channels).toEqual({
      email: { ...DEFAULT_CHOICES, announcement: false },
      sms: DEFAULT_CHOICES,
      push: DEFAULT_CHOICES,
    });
    expect(Date.parse(optedOut.body.updatedAt)).toBeGreaterThan(Date.now() - MINUTE_MS);

    const phone = await put(user.accessToken, { phoneNumber: '+44 (20) 7946-0958', channels: { sms: { reminder: false } } });
    expect(phone.status, JSON.stringify(phone.body)).toBe(200);
    expect(phone.body).toMatchObject({
      phoneNumber: '+442079460958',
      quietHours: null,
      channels: { email: { ...DEFAULT_CHOICES, announcement: false }, sms: { ...DEFAULT_CHOICES, reminder: false } },
    });

    const quiet = await put(user.accessToken, {
      quietHours: { start: '22:00', end: '07:00' },
      pushToken: 'device-token-0123456789',
    });
    expect(quiet.body).toMatchObject({
      quietHours: { start: '22:00', end: '07:00' },
      phoneNumber: '+442079460958',
      pushToken: 'device-token-0123456789',
    });

    const cleared = await put(user.accessToken, { quietHours: null, phoneNumber: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ quietHours: null, phoneNumber: null, pushToken: 'device-token-0123456789' });
    expect(cleared.body.channels.email.announcement).toBe(false);

    const empty = await put(user.accessToken, {});
    expect(empty.status).toBe(200);
    expect(empty.body.channels).toEqual(cleared.body.channels);

    expect((await get(user.accessToken)).body).toEqual(empty.body);
    // Somebody else's preferences are their own.
    expect((await get(other.accessToken)).body.channels.email.announcement).toBe(true);
  });

  it('refuses bad quiet hours, phone numbers and push tokens, naming the field', async () => {
    const user = await loggedInPatient(t.app);
    // Well formed, refused by a rule: 422 with the field.
    const cases: Array<[unknown, string, string]> = [
      [{ quietHours: { start: '22:00', end: '22:00' } }, 'notifications.invalid_quiet_hours', '#/quietHours'],
    ];
    for (const [body, type, pointer] of cases) {
      const res = await put(user.accessToken, body);
      expectProblem(res, 422, type);
      expect(res.body.errors, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toContainEqual(
        expect.objectContaining({ in: 'body', pointer }),
      );
    }
    for (const [body, pointer] of [
      [{ quietHours: { start: '22:00' } }, '#/quietHours/end'],
      [{ quietHours: { start: '22:00:00', end: '07:00' } }, '#/quietHours/start'],
      [{ phoneNumber: 4412345678 }, '#/phoneNumber'],
      [{ phoneNumber: '12345' }, '#/phoneNumber'],
      [{ phoneNumber: '+0123456789' }, '#/phoneNumber'],
      [{ pushToken: 'short' }, '#/pushToken'],
      [{ channels: { fax: { reminder: false } } }, '#/channels/fax'],
      [{ channels: { email: { reminder: 'no' } } }, '#/channels/email/reminder'],
    ] as const) {
      const res = await put(user.accessToken, body);
      expectProblem(res, 400);
      expect(res.body.errors, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toContainEqual(
        expect.objectContaining({ in: 'body', pointer }),
      );
    }
    // Nothing of it was kept.
    expect((await get(user.accessToken)).body.updatedAt).toBeNull();
  });

  it('points at the quiet-hours time that is wrong with a JSON pointer', async () => {
    const user = await loggedInPatient(t.app);
    for (const [body, pointer] of [
      [{ quietHours: { start: '25:00', end: '07:00' } }, '#/quietHours/start'],
      [{ quietHours: { start: '22:00', end: '7am' } }, '#/quietHours/end'],
    ] as const) {
      const res = await put(user.accessToken, body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors, `${JSON.stringify(body)} → ${JSON.stringify(res.body)}`).toContainEqual(
        expect.objectContaining({ in: 'body', pointer }),
      );
    }
  });

  it('cannot opt out of security messages: they are not a choice, and they still go out', async () => {
    const user = await loggedInPatient(t.app);
    for (const channel of ['email', 'sms', 'push']) {
      const res = await put(user.accessToken, { channels: { [channel]: { security: false } } });
      expectProblem(res, 400);
      expect(res.body.errors).toContainEqual(expect.objectContaining({ in: 'body', pointer: `#/channels/${channel}/security` }));
    }
    const everythingOff = { transactional: false, reminder: false, announcement: false };
    expect((await put(user.accessToken, { channels: { email: everythingOff } })).status).toBe(200);
    const reset = await request(t.app).post('/api/auth/password-reset/request').send({ email: user.email });
    expect(reset.status).toBe(202);
    await waitForDevMail(t.app, user.email, 'Reset your password');
  });

  it('holds back an opted-out category, but a critical message goes out anyway', async () => {
    const user = await loggedInPatient(t.app);
    expect((await put(user.accessToken, { channels: { email: { announcement: false } } })).status).toBe(200);
    const message = { userId: user.id, channel: 'email', category: 'announcement', message: 'We have a new feature.' };

    const skipped = await send({ ...message, subject: 'Opted-out news' });
    expect(skipped.status, JSON.stringify(skipped.body)).toBe(202);
    expect(skipped.body.outcome).toBe('opted_out');
    expect(skipped.body.notification).toMatchObject({ status: 'cancelled', userId: user.id, category: 'announcement' });
    expect(skipped.body.notification.lastError).toMatch(/opted out/);

    const critical = await send({ ...message, subject: 'Critical news', priority: 'critical' });
    expect(critical.status, JSON.stringify(critical.body)).toBe(202);
    expect(critical.body.outcome).toBe('queued');
    await waitForDevMail(t.app, user.email, 'Critical news');
    await waitForStatus(t.app, admin.accessToken, critical.body.notification.id, 'sent');

    // Still cancelled, and never sent.
    expect((await getNotification(t.app, admin.accessToken, skipped.body.notification.id)).status).toBe('cancelled');
    expect((await devMails(t.app, user.email)).map((m) => m.subject)).not.toContain('Opted-out news');
    // Other categories on the same channel still go.
    const reminder = await send({ ...message, category: 'reminder', subject: 'A reminder' });
    expect(reminder.body.outcome).toBe('queued');
    await waitForDevMail(t.app, user.email, 'A reminder');
  });

  it('applies an opt-out to a scheduled message that has not gone out yet', async () => {
    const user = await loggedInPatient(t.app);
    const sendAt = new Date(Date.now() + 1_500).toISOString();
    const scheduled = await send({
      userId: user.id,
      channel: 'email',
      category: 'announcement',
      subject: 'Scheduled news',
      message: 'Soon.',
      sendAt,
    });
    expect(scheduled.body.outcome).toBe('queued');
    expect((await put(user.accessToken, { channels: { email: { announcement: false } } })).status).toBe(200);
    const cancelled = await waitForStatus(t.app, admin.accessToken, scheduled.body.notification.id, 'cancelled');
    expect(cancelled.lastError).toMatch(/opted out/);
    expect(cancelled.attempts).toBe(0);
    expect((await devMails(t.app, user.email)).map((m) => m.subject)).not.toContain('Scheduled news');
  });

  it('holds a normal message until the user’s quiet hours end, in their time zone, until they are cleared; a critical one goes at once', async () => {
    const user = await loggedInPatient(t.app);
    // UTC+05:45 all year: "now" in UTC is far outside a window around the local time.
    const timeZone = 'Asia/Kathmandu';
    const patched = await request(t.app).patch('/api/users/me').set(bearer(user.accessToken)).send({ timeZone });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const now = Date.now();
    const start = wallClock(new Date(now - 60 * MINUTE_MS), timeZone);
    const end = wallClock(new Date(now + 120 * MINUTE_MS), timeZone);
    const quiet = await put(user.accessToken, { quietHours: { start, end } });
    expect(quiet.status, JSON.stringify(quiet.body)).toBe(200);

    const normal = await send({
      userId: user.id,
      channel: 'email',
      category: 'reminder',
      subject: 'Quiet reminder',
      message: 'Later.',
    });
    expect(normal.body.outcome).toBe('queued');
    const held = await waitForNotification(
      t.app,
      admin.accessToken,
      normal.body.notification.id,
      (n) => Date.parse(n.sendAt) > now + 60 * MINUTE_MS,
      'is held until the quiet hours end',
    );
    expect(held.status).toBe('pending');
    expect(held.attempts).toBe(0);
    expect(wallClock(new Date(held.sendAt), timeZone)).toBe(end);
    const heldFor = Date.parse(held.sendAt) - now;
    expect(heldFor).toBeGreaterThan(118 * MINUTE_MS);
    expect(heldFor).toBeLessThanOrEqual(121 * MINUTE_MS);

    const critical = await send({
      userId: user.id,
      channel: 'email',
      category: 'reminder',
      priority: 'critical',
      subject: 'Critical reminder',
      message: 'Now.',
    });
    expect(critical.body.outcome).toBe('queued');
    await waitForDevMail(t.app, user.email, 'Critical reminder');
    await waitForStatus(t.app, admin.accessToken, critical.body.notification.id, 'sent');

    // The held one is still waiting.
    const still = await getNotification(t.app, admin.accessToken, normal.body.notification.id);
    expect(still).toMatchObject({ status: 'pending', sendAt: held.sendAt });
    expect((await devMails(t.app, user.email)).map((m) => m.subject)).not.toContain('Quiet reminder');

    // Clearing the quiet hours releases it at once: it goes out now, not at their old end.
    const cleared = await put(user.accessToken, { quietHours: null });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    await waitForDevMail(t.app, user.email, 'Quiet reminder');
    const sent = await waitForStatus(t.app, admin.accessToken, normal.body.notification.id, 'sent');
    expect(Date.parse(sent.sentAt as string)).toBeLessThan(now + 60 * MINUTE_MS);
  });
});
