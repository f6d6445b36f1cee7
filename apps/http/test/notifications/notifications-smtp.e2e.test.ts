/**
 * Email through a real SMTP server: with SMTP_URL pointing at a local sink, a registration's
 * welcome and verification emails arrive there (Message-ID `<notificationId@aura>`), the code
 * in the verification email verifies the account, the user lists both notifications (the
 * security one without its content), and a redelivered `user.registered` sends nothing twice.
 */

import { SendWelcomeEmail } from '@aura/application/notifications';
import { JobQueue } from '@aura/application/platform';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminUser,
  bearer,
  login,
  type RegisteredUser,
  register,
  type TestAura,
  type Tokens,
} from '../users/users-e2e-support.js';
import {
  listAll,
  metric,
  perTarget,
  type SinkMessage,
  SmtpSink,
  startNotificationsAura,
  TARGETS,
  waitForStatus,
  waitUntil,
} from './notifications-e2e-support.js';

const WELCOME = 'Welcome to Aura';
const VERIFICATION = 'Confirm your email address';

const setups = perTarget(
  async (target) => {
    const sink = await new SmtpSink().start();
    let t: TestAura | undefined;
    try {
      t = await startNotificationsAura(target, { SMTP_URL: sink.url });
      return { sink, t, admin: await adminUser(t.aura, t.app) };
    } catch (error) {
      await t?.close();
      await sink.close();
      throw error;
    }
  },
  async ({ t, sink }) => {
    await t.close();
    await sink.close();
  },
);
afterAll(() => setups.close());

describe.each(TARGETS)('email over SMTP (%s)', (target) => {
  let t: TestAura;
  let sink: SmtpSink;
  let admin: RegisteredUser & Tokens;

  beforeAll(async () => {
    ({ t, sink, admin } = await setups.get(target));
  });

  /** The notification id an email carries in its Message-ID. */
  const notificationIdOf = (mail: SinkMessage) => /^<([0-9a-f-]{36})@aura>$/.exec(mail.messageId)?.[1];

  async function registerAndVerify(): Promise<{
    user: RegisteredUser & Tokens;
    welcome: SinkMessage;
    verification: SinkMessage;
  }> {
    const registered = await register(t.app);
    const welcome = await sink.waitFor(registered.email, WELCOME);
    const verification = await sink.waitFor(registered.email, VERIFICATION);
    const code = /Your code: (\S+)/.exec(verification.text)?.[1];
    expect(code, verification.text).toBeDefined();
    const verified = await request(t.app).post('/api/auth/verify-email').send({ token: code });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    const user = { ...registered, ...(await login(t.app, registered.email, registered.password)) };
    return { user, welcome, verification };
  }

  it('sends the welcome and the verification email to the SMTP server, and the emailed code verifies the account', async () => {
    const { user, welcome, verification } = await registerAndVerify();
    for (const mail of [welcome, verification]) {
      expect(mail.rcptTo).toEqual([user.email]);
      expect(mail.to).toContain(user.email);
      expect(notificationIdOf(mail), mail.messageId).toBeDefined();
      expect(mail.headers['x-aura-notification-id']).toBe(notificationIdOf(mail));
    }
    expect(notificationIdOf(welcome)).not.toBe(notificationIdOf(verification));
    expect(welcome.text).toContain('Hello Test Person');
    expect(welcome.text).toContain('notification settings in the app');
    expect(welcome.text).not.toMatch(/confirm your email/);
    expect(verification.text).toMatch(/Your code: \S+/);
    // Nothing went to the development mailbox: SMTP is the email provider now.
    const dev = await request(t.app).get('/dev/mailbox').query({ to: user.email });
    expect(dev.body.items).toEqual([]);
    const me = await request(t.app).get('/api/users/me').set(bearer(user.accessToken));
    expect(me.body.status).toBe('active');
  });

  it('lists the user’s own notifications as sent, the security one without its message', async () => {
    const { user, welcome, verification } = await registerAndVerify();
    const welcomeId = notificationIdOf(welcome) as string;
    const verificationId = notificationIdOf(verification) as string;
    await waitForStatus(t.app, user.accessToken, welcomeId, 'sent');
    await waitForStatus(t.app, user.accessToken, verificationId, 'sent');

    const res = await request(t.app).get('/api/notifications').set(bearer(user.accessToken));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const items = res.body.items as Array<Record<string, unknown>>;
    expect(items.map((n) => n.id).sort()).toEqual([welcomeId, verificationId].sort());
    const security = items.find((n) => n.id === verificationId);
    expect(security).toMatchObject({
      userId: user.id,
      channel: 'email',
      recipient: user.email,
      subject: VERIFICATION,
      message: null,
      category: 'security',
      templateKey: 'account.email-verification',
      status: 'sent',
      attempts: 1,
      lastError: null,
    });
    expect(security?.sentAt).toEqual(expect.any(String));
    const welcomeJson = items.find((n) => n.id === welcomeId);
    expect(welcomeJson).toMatchObject({
      userId: user.id,
      subject: WELCOME,
      category: 'transactional',
      templateKey: 'user.welcome',
      status: 'sent',
      deduplicationKey: expect.stringMatching(/:user\.welcome:email$/),
    });
    expect(welcomeJson?.message).toContain('Welcome to Aura');
    // Nobody else's notifications are in the list.
    expect(items.every((n) => n.userId === user.id)).toBe(true);
  });

  it('sends the welcome once when its `user.registered` event is delivered again', async () => {
    const user = await register(t.app);
    await sink.waitFor(user.email, WELCOME);
    const welcomes = async () =>
      (await listAll(t.app, admin.accessToken, { userId: user.id })).filter((n) => n.templateKey === 'user.welcome');
    const [welcome] = await welcomes();
    const eventId = welcome?.deduplicationKey?.split(':')[0] as string;
    expect(eventId).toMatch(/^[0-9a-f-]{36}$/);

    // 1. The event's delivery job again (another job id, so the queue takes it): the inbox refuses it.
    const subscriber = 'notifications.welcome-email';
    const duplicates = () => metric(t.app, 'aura_event_deliveries_total', { subscriber, outcome: 'duplicate' });
    const before = await duplicates();
    const queue = await t.aura.get<JobQueue>(JobQueue);
    await queue.enqueue({
      queue: 'notifications.events',
      name: subscriber,
      data: { eventId, subscriber, correlationId: 'replayed-by-test' },
      options: { jobId: `replay-${eventId}` },
    });
    await waitUntil(async () => (await duplicates()) > before, 'the replayed delivery was seen as a duplicate');

    // 2. The handler itself twice with the same event (past the inbox): its de-duplication key holds.
    const row = await t.aura.database.db
      .selectFrom('platform.outbox')
      .selectAll()
      .where('event_id', '=', eventId)
      .executeTakeFirstOrThrow();
    const parse = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
    const event = {
      eventId: row.event_id as string,
      eventType: row.event_type as string,
      occurredAt: new Date(row.occurred_at).toISOString(),
      sourceModule: row.source_module as string,
      version: row.version as number,
      data: parse(row.data),
      metadata: parse(row.metadata),
    };
    expect(event.eventType).toBe('user.registered');
    const handler = await t.aura.get(SendWelcomeEmail);
    await handler.handle(event);
    await handler.handle(event);

    // A marker sent afterwards has arrived: anything the replays queued would be in the rows by now.
    const marker = await request(t.app)
      .post('/api/notifications')
      .set(bearer(admin.accessToken))
      .send({ userId: user.id, channel: 'email', category: 'transactional', subject: 'Marker', message: 'After the replays.' });
    expect(marker.status, JSON.stringify(marker.body)).toBe(202);
    await sink.waitFor(user.email, 'Marker');

    expect((await welcomes()).map((n) => n.id)).toEqual([welcome?.id]);
    expect(sink.to(user.email).filter((m) => m.subject === WELCOME)).toHaveLength(1);
    expect(sink.to(user.email).filter((m) => m.subject === VERIFICATION)).toHaveLength(1);
  });
});
