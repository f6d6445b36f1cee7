/**
 * Admins sending notifications over HTTP: written messages and templates, to users and to bare
 * addresses; validation; de-duplication keys and Idempotency-Key; listing with filters and
 * cursors (and what a patient may see); bulk sends; scheduled sends and cancelling them;
 * statistics; and a deactivated account's scheduled messages withdrawn.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminUser,
  bearer,
  expectProblem,
  expectUnauthorized,
  type RegisteredUser,
  type TestAura,
  type Tokens,
  uniqueEmail,
} from '../users/users-e2e-support.js';
import {
  devMails,
  getNotification,
  listAll,
  loggedInPatient,
  metric,
  type NotificationJson,
  perTarget,
  startNotificationsAura,
  TARGETS,
  waitForDevMail,
  waitForStatus,
  waitUntil,
} from './notifications-e2e-support.js';

const HOUR_MS = 60 * 60 * 1000;
const UNKNOWN_ID = '0190aaaa-bbbb-7ccc-8ddd-0000000000ab';

const reminderVariables = {
  displayName: 'Ana',
  startsAt: '2030-01-15T10:00:00Z',
  withName: 'Dr. Silva',
  url: 'https://aura.example/appointments/1',
};

const setups = perTarget(
  async (target) => {
    const t = await startNotificationsAura(target);
    try {
      return { t, admin: await adminUser(t.aura, t.app), patient: await loggedInPatient(t.app) };
    } catch (error) {
      await t.close();
      throw error;
    }
  },
  ({ t }) => t.close(),
);
afterAll(() => setups.close());

describe.each(TARGETS)('admin notifications (%s)', (target) => {
  let t: TestAura;
  let admin: RegisteredUser & Tokens;
  let patient: RegisteredUser & Tokens;

  beforeAll(async () => {
    ({ t, admin, patient } = await setups.get(target));
  });

  const send = (body: Record<string, unknown>, token = admin.accessToken) =>
    request(t.app).post('/api/notifications').set(bearer(token)).send(body);
  const bulk = (body: Record<string, unknown>, token = admin.accessToken) =>
    request(t.app).post('/api/notifications/bulk').set(bearer(token)).send(body);
  const list = (query: Record<string, string>, token = admin.accessToken) =>
    request(t.app).get('/api/notifications').set(bearer(token)).query(query);
  const email = (to: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    ...to,
    channel: 'email',
    category: 'transactional',
    subject: 'A subject',
    message: 'A message.',
    ...extra,
  });

  /** Without a type: the schema refuses it (400); with one: a rule refuses a well-formed body (422). */
  function expectPointer(res: request.Response, pointer: string, type?: string): void {
    expectProblem(res, type === undefined ? 400 : 422, type);
    expect(res.body.errors, JSON.stringify(res.body)).toContainEqual(expect.objectContaining({ in: 'body', pointer }));
  }

  describe('sending', () => {
    it('sends a written message to a bare address', async () => {
      const address = uniqueEmail('bare');
      const res = await send(
        email({ address: `  ${address.toUpperCase()} ` }, { subject: 'Hello there', metadata: { ticket: 42 } }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      expect(res.body.outcome).toBe('queued');
      expect(res.body.notification).toMatchObject({
        userId: null,
        channel: 'email',
        recipient: address,
        subject: 'Hello there',
        message: 'A message.',
        category: 'transactional',
        priority: 'normal',
        status: 'pending',
        metadata: { ticket: 42 },
        templateKey: null,
        attempts: 0,
      });
      const mail = await waitForDevMail(t.app, address, 'Hello there');
      expect(mail.text).toContain('A message.');
      expect(mail.messageId).toBe(`<${res.body.notification.id}@aura>`);
      const sent = await waitForStatus(t.app, admin.accessToken, res.body.notification.id, 'sent');
      expect(sent.attempts).toBe(1);
    });

    it('renders a template for a user, and one for a bare address in the language asked for', async () => {
      const reminder = await send({
        userId: patient.id,
        channel: 'email',
        template: 'appointment.reminder',
        variables: reminderVariables,
      });
      expect(reminder.status, JSON.stringify(reminder.body)).toBe(202);
      expect(reminder.body.notification).toMatchObject({
        userId: patient.id,
        recipient: patient.email,
        templateKey: 'appointment.reminder',
        category: 'reminder',
        locale: 'en',
      });
      expect(reminder.body.notification.subject).toMatch(/^Reminder: your appointment on .*2030/);
      expect(reminder.body.notification.message).toContain('Dr. Silva');
      const mail = await waitForDevMail(t.app, patient.email, reminder.body.notification.subject);
      expect(mail.text).toContain('https://aura.example/appointments/1');

      // Variables are escaped in the HTML part.
      const html = await send({
        userId: patient.id,
        channel: 'email',
        template: 'appointment.reminder',
        variables: { ...reminderVariables, withName: '<img src=x onerror=alert(1)> & Co' },
      });
      expect(html.status, JSON.stringify(html.body)).toBe(202);
      await waitForStatus(t.app, admin.accessToken, html.body.notification.id, 'sent');
      const stored = (await devMails(t.app, patient.email)).find((m) => m.messageId === `<${html.body.notification.id}@aura>`);
      const detail = await request(t.app).get(`/dev/mailbox/${stored?.id}`);
      expect(detail.body.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; Co');
      expect(detail.body.html).not.toContain('<img');
      expect(detail.body.text).toContain('<img src=x onerror=alert(1)> & Co');

      const welcome = await send({
        userId: patient.id,
        channel: 'email',
        template: 'user.welcome',
        variables: { displayName: 'Ana' },
      });
      expect(welcome.status, JSON.stringify(welcome.body)).toBe(202);
      expect(welcome.body.notification).toMatchObject({
        subject: 'Welcome to Aura',
        category: 'transactional',
        templateKey: 'user.welcome',
      });

      const address = uniqueEmail('pt');
      const pt = await send({
        address,
        channel: 'email',
        template: 'appointment.reminder',
        variables: reminderVariables,
        locale: 'pt-BR',
      });
      expect(pt.status, JSON.stringify(pt.body)).toBe(202);
      expect(pt.body.notification.locale).toBe('pt');
      expect(pt.body.notification.subject).toMatch(/^Lembrete: a sua consulta em /);
      await waitForDevMail(t.app, address, pt.body.notification.subject);
    });

    it('refuses bodies that break the rules, naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string, string?]> = [
        [email({ userId: patient.id, address: uniqueEmail() }), '#/userId'],
        [email({}), '#/userId'],
        [
          { userId: patient.id, channel: 'email', template: 'user.welcome', message: 'x', category: 'transactional' },
          '#/template',
        ],
        [{ userId: patient.id, channel: 'email', template: 'user.welcome', subject: 'x' }, '#/template'],
        [{ userId: patient.id, channel: 'email', category: 'transactional' }, '#/message'],
        [email({ userId: patient.id }, { variables: { a: 1 } }), '#/variables'],
        [{ userId: patient.id, channel: 'email', template: 'no.such-template' }, '#/template', 'notifications.unknown_template'],
        [
          {
            userId: patient.id,
            channel: 'email',
            template: 'appointment.reminder',
            variables: { ...reminderVariables, withName: undefined },
          },
          '#/variables',
          'notifications.invalid_template_variables',
        ],
        [
          {
            userId: patient.id,
            channel: 'email',
            template: 'appointment.reminder',
            variables: { ...reminderVariables, startsAt: 'tomorrow' },
          },
          '#/variables',
          'notifications.invalid_template_variables',
        ],
        [
          {
            userId: patient.id,
            channel: 'email',
            template: 'appointment.reminder',
            variables: { ...reminderVariables, url: 'javascript:alert(1)' },
          },
          '#/variables',
          'notifications.invalid_template_variables',
        ],
        [
          {
            userId: patient.id,
            channel: 'email',
            template: 'appointment.reminder',
            variables: { ...reminderVariables, extra: 1 },
          },
          '#/variables',
          'notifications.invalid_template_variables',
        ],
        [
          {
            userId: patient.id,
            channel: 'email',
            template: 'appointment.reminder',
            variables: reminderVariables,
            category: 'announcement',
          },
          '#/category',
          'notifications.category_required',
        ],
        [email({ userId: patient.id }, { category: undefined }), '#/category'],
        [email({ userId: patient.id }, { subject: undefined }), '#/subject'],
        [email({ userId: patient.id }, { subject: '  ' }), '#/subject'],
        [email({ userId: patient.id }, { message: '   ' }), '#/message'],
        [email({ userId: patient.id }, { message: 'x'.repeat(1001) }), '#/message'],
        [email({ userId: patient.id }, { message: 'Cheap SPAM here' }), '#/message', 'notifications.forbidden_content'],
        [email({ userId: patient.id }, { priority: 'urgent' }), '#/priority'],
        [email({ userId: patient.id }, { category: 'marketing' }), '#/category'],
        [email({ userId: patient.id }, { sendAt: 'tomorrow' }), '#/sendAt'],
        [email({ userId: patient.id }, { metadata: { nested: { a: 1 } } }), '#/metadata/nested'],
        [email({ userId: 'not-a-uuid' }), '#/userId'],
        [email({ userId: patient.id }, { deduplicationKey: '' }), '#/deduplicationKey'],
        [email({ userId: patient.id }, { channel: 'fax' }), '#/channel'],
      ];
      for (const [body, pointer, type] of cases) {
        const res = await send(body);
        expectPointer(res, pointer, type);
      }
      expectProblem(await send(email({ userId: UNKNOWN_ID })), 404, 'notifications.recipient_not_found');
      // No SMS provider in this Aura.
      const sms = await send({
        userId: patient.id,
        channel: 'sms',
        category: 'reminder',
        message: 'Your appointment is tomorrow.',
      });
      expectProblem(sms, 409, 'notifications.channel_unavailable');
    });

    it('points at `address` when a bare address is not valid for the channel', async () => {
      for (const address of ['not-an-address', 'a@b', 'someone@example.com>']) {
        expectPointer(await send(email({ address })), '#/address', 'notifications.invalid_recipient');
      }
    });

    it('turns the same de-duplication key into one notification', async () => {
      const address = uniqueEmail('dedup');
      const body = email({ address }, { deduplicationKey: `invoice-${randomUUID()}`, subject: 'Once only' });
      const first = await send(body);
      expect(first.status).toBe(202);
      expect(first.body.outcome).toBe('queued');
      const second = await send({ ...body, message: 'A different text, same key.' });
      expect(second.status).toBe(202);
      expect(second.body.outcome).toBe('duplicate');
      expect(second.body.notification.id).toBe(first.body.notification.id);
      expect(second.body.notification.message).toBe('A message.');
      await waitForStatus(t.app, admin.accessToken, first.body.notification.id, 'sent');
      expect(await listAll(t.app, admin.accessToken, { recipient: address })).toHaveLength(1);
      expect(await devMails(t.app, address)).toHaveLength(1);
    });

    it('turns concurrent requests with one de-duplication key into one notification', async () => {
      const address = uniqueEmail('race');
      const body = email({ address }, { deduplicationKey: `race-${randomUUID()}`, subject: 'Raced' });
      const answers = await Promise.all(Array.from({ length: 6 }, () => send(body)));
      expect(answers.map((res) => res.status)).toEqual(Array(6).fill(202));
      expect(answers.map((res) => res.body.outcome).sort()).toEqual([
        'duplicate',
        'duplicate',
        'duplicate',
        'duplicate',
        'duplicate',
        'queued',
      ]);
      expect(new Set(answers.map((res) => res.body.notification.id)).size).toBe(1);
      await waitForDevMail(t.app, address, 'Raced');
      expect(await listAll(t.app, admin.accessToken, { recipient: address })).toHaveLength(1);
    });

    it('replays a request with the same Idempotency-Key instead of sending again', async () => {
      const address = uniqueEmail('idem');
      const key = `send-${randomUUID()}`;
      const body = email({ address }, { subject: 'Idempotent' });
      const first = await send(body).set('Idempotency-Key', key);
      expect(first.status).toBe(202);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const again = await send(body).set('Idempotency-Key', key);
      expect(again.status).toBe(202);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const other = await send({ ...body, subject: 'Another' }).set('Idempotency-Key', key);
      expectProblem(other, 422, 'idempotency_key_reused');
      await waitForDevMail(t.app, address, 'Idempotent');
      expect(await listAll(t.app, admin.accessToken, { recipient: address })).toHaveLength(1);
      expect(await devMails(t.app, address)).toHaveLength(1);
    });

    it('keeps everyone but admins out of the admin routes', async () => {
      const as = patient.accessToken;
      expectProblem(await send(email({ address: uniqueEmail() }), as), 403, 'platform.forbidden');
      expectProblem(await bulk(email({ recipients: [{ address: uniqueEmail() }] }), as), 403, 'platform.forbidden');
      expectProblem(await request(t.app).get('/api/notifications/statistics').set(bearer(as)), 403, 'platform.forbidden');
      expectProblem(
        await request(t.app).post('/api/notifications/cancel').set(bearer(as)).send({ deduplicationKey: 'x' }),
        403,
        'platform.forbidden',
      );
      expectProblem(
        await request(t.app).post(`/api/notifications/${UNKNOWN_ID}/cancel`).set(bearer(as)),
        403,
        'platform.forbidden',
      );
      expectUnauthorized(
        await request(t.app)
          .post('/api/notifications')
          .send(email({ address: uniqueEmail() })),
      );
      expectUnauthorized(await request(t.app).get('/api/notifications'));
      expectUnauthorized(await request(t.app).get('/api/notifications/preferences'));
    });
  });

  describe('listing', () => {
    let person: RegisteredUser & Tokens;
    let all: NotificationJson[];

    beforeAll(async () => {
      person = await loggedInPatient(t.app);
      const sent: string[] = [];
      for (const subject of ['First', 'Second', 'Third']) {
        const res = await send(email({ userId: person.id }, { subject, category: 'reminder' }));
        sent.push(res.body.notification.id);
      }
      const later = await send(
        email({ userId: person.id }, { subject: 'Later', sendAt: new Date(Date.now() + HOUR_MS).toISOString() }),
      );
      const withdrawn = await send(
        email({ userId: person.id }, { subject: 'Withdrawn', sendAt: new Date(Date.now() + HOUR_MS).toISOString() }),
      );
      expect(later.status).toBe(202);
      expect(
        (await request(t.app).post(`/api/notifications/${withdrawn.body.notification.id}/cancel`).set(bearer(admin.accessToken)))
          .status,
      ).toBe(200);
      for (const id of sent) await waitForStatus(t.app, admin.accessToken, id, 'sent');
      // welcome + verification + 3 sent + 1 scheduled + 1 cancelled
      await waitUntil(
        async () => (await listAll(t.app, admin.accessToken, { userId: person.id, status: 'sent' })).length === 5,
        'the account emails and the three messages are sent',
      );
      all = await listAll(t.app, admin.accessToken, { userId: person.id });
    });

    it('filters by user, status, channel, category, recipient and creation time', async () => {
      expect(all).toHaveLength(7);
      expect(all.every((n) => n.userId === person.id)).toBe(true);
      // Newest first.
      expect(all.map((n) => n.id)).toEqual([...all.map((n) => n.id)].sort().reverse());
      const ids = async (query: Record<string, string>) =>
        (await listAll(t.app, admin.accessToken, { userId: person.id, ...query })).map((n) => n.subject);
      expect(await ids({ status: 'pending' })).toEqual(['Later']);
      expect(await ids({ status: 'cancelled' })).toEqual(['Withdrawn']);
      expect(await ids({ status: 'sent', category: 'reminder' })).toEqual(['Third', 'Second', 'First']);
      expect(await ids({ category: 'security' })).toEqual(['Confirm your email address']);
      expect(await ids({ channel: 'email' })).toHaveLength(7);
      expect(await ids({ channel: 'sms' })).toEqual([]);
      expect(await listAll(t.app, admin.accessToken, { recipient: person.email })).toHaveLength(7);
      expect(await listAll(t.app, admin.accessToken, { recipient: ` ${person.email} ` })).toHaveLength(7);

      const byAge = [...all].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
      const from = byAge[2]?.createdAt as string;
      const to = byAge[5]?.createdAt as string;
      const expected = all.filter((n) => Date.parse(n.createdAt) >= Date.parse(from) && Date.parse(n.createdAt) < Date.parse(to));
      const windowed = await listAll(t.app, admin.accessToken, { userId: person.id, from, to });
      expect(windowed.map((n) => n.id)).toEqual(expected.map((n) => n.id));
      expect(windowed.length).toBeGreaterThan(0);
      // An offset names the same instant.
      const fromWithOffset = new Date(Date.parse(from)).toISOString().replace('Z', '+00:00');
      expect((await listAll(t.app, admin.accessToken, { userId: person.id, from: fromWithOffset, to })).length).toBe(
        windowed.length,
      );
    });

    it('finds a recipient whatever the case of the address it is asked for', async () => {
      const upper = await listAll(t.app, admin.accessToken, { recipient: person.email.toUpperCase() });
      expect(upper.map((n) => n.id)).toEqual(all.map((n) => n.id));
    });

    it('pages with cursors, without duplicates even while new notifications arrive', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list({ userId: person.id, limit: '2', ...(cursor === null ? {} : { cursor }) });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((n: NotificationJson) => n.id));
        cursor = res.body.nextCursor;
        pages += 1;
        if (pages === 1) {
          // Arrives after the first page: newer than everything paged, so it is not in the rest.
          expect((await send(email({ userId: person.id }, { subject: 'Newcomer' }))).status).toBe(202);
        }
      } while (cursor !== null && pages < 20);
      expect(pages).toBe(4);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(all.map((n) => n.id));
    });

    it('shows a patient only their own notifications', async () => {
      const own = await list({}, person.accessToken);
      expect(own.status).toBe(200);
      expect(own.body.items.length).toBeGreaterThanOrEqual(7);
      expect(own.body.items.every((n: NotificationJson) => n.userId === person.id)).toBe(true);
      const security = own.body.items.find((n: NotificationJson) => n.category === 'security');
      expect(security.message).toBeNull();

      const mine = all[0] as NotificationJson;
      expect((await request(t.app).get(`/api/notifications/${mine.id}`).set(bearer(person.accessToken))).status).toBe(200);
      const theirs = (await listAll(t.app, admin.accessToken, { userId: patient.id }))[0] as NotificationJson;
      expectProblem(
        await request(t.app).get(`/api/notifications/${theirs.id}`).set(bearer(person.accessToken)),
        404,
        'notifications.notification_not_found',
      );
      expectProblem(await list({ userId: patient.id }, person.accessToken), 403, 'platform.forbidden');
      // Their own id is no one else's: allowed, and the same list.
      const byOwnId = await list({ userId: person.id }, person.accessToken);
      expect(byOwnId.status).toBe(200);
      expect(byOwnId.body.items.map((n: NotificationJson) => n.id)).toEqual(own.body.items.map((n: NotificationJson) => n.id));
      expectProblem(await list({ recipient: patient.email }, person.accessToken), 403, 'platform.forbidden');
      expectProblem(
        await request(t.app).get(`/api/notifications/${UNKNOWN_ID}`).set(bearer(admin.accessToken)),
        404,
        'notifications.notification_not_found',
      );
    });
  });

  describe('bulk', () => {
    it('answers every recipient’s outcome, and a retry with the same Idempotency-Key sends nothing again', async () => {
      const optedOut = await loggedInPatient(t.app);
      const prefs = await request(t.app)
        .put('/api/notifications/preferences')
        .set(bearer(optedOut.accessToken))
        .send({ channels: { email: { announcement: false } } });
      expect(prefs.status).toBe(200);
      const fine = uniqueEmail('bulk');
      const body = {
        recipients: [{ address: 'not an address' }, { userId: optedOut.id }, { address: fine }],
        channel: 'email',
        category: 'announcement',
        subject: 'Bulk news',
        message: 'Something for everyone.',
      };
      const key = `bulk-${randomUUID()}`;
      const first = await bulk(body).set('Idempotency-Key', key);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body.results).toEqual([
        { index: 0, outcome: 'rejected', error: { type: 'notifications.invalid_recipient', message: expect.any(String) } },
        { index: 1, outcome: 'opted_out', notificationId: expect.any(String) },
        { index: 2, outcome: 'queued', notificationId: expect.any(String) },
      ]);
      expect(first.body.summary).toEqual({ queued: 1, opted_out: 1, duplicate: 0, rejected: 1 });

      const again = await bulk(body).set('Idempotency-Key', key);
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);

      await waitForDevMail(t.app, fine, 'Bulk news');
      await waitForStatus(t.app, admin.accessToken, first.body.results[2].notificationId, 'sent');
      expect(await listAll(t.app, admin.accessToken, { recipient: fine })).toHaveLength(1);
      expect(await devMails(t.app, fine)).toHaveLength(1);
      const theirs = await listAll(t.app, admin.accessToken, { userId: optedOut.id, category: 'announcement' });
      expect(theirs.map((n) => [n.id, n.status])).toEqual([[first.body.results[1].notificationId, 'cancelled']]);
      expect((await devMails(t.app, optedOut.email)).map((m) => m.subject)).not.toContain('Bulk news');
    });

    it('gives each recipient `<key>:<index>`, so the same bulk again adds nothing', async () => {
      const addresses = [uniqueEmail('bulk-a'), uniqueEmail('bulk-b')];
      const body = {
        recipients: addresses.map((address) => ({ address })),
        channel: 'email',
        category: 'announcement',
        subject: 'Keyed bulk',
        message: 'Once.',
        deduplicationKey: `campaign-${randomUUID()}`,
      };
      const first = await bulk(body);
      expect(first.body.summary).toEqual({ queued: 2, opted_out: 0, duplicate: 0, rejected: 0 });
      const second = await bulk(body);
      expect(second.body.summary).toEqual({ queued: 0, opted_out: 0, duplicate: 2, rejected: 0 });
      expect(second.body.results.map((r: { notificationId: string }) => r.notificationId)).toEqual(
        first.body.results.map((r: { notificationId: string }) => r.notificationId),
      );
      const stored = await getNotification(t.app, admin.accessToken, first.body.results[1].notificationId);
      expect(stored.deduplicationKey).toBe(`${body.deduplicationKey}:1`);
    });

    it('refuses more than 1,000 recipients, or none', async () => {
      const recipients = Array.from({ length: 1001 }, (_, i) => ({ address: `r${i}@example.com` }));
      const base = { channel: 'email', category: 'announcement', subject: 'Too many', message: 'x' };
      expectPointer(await bulk({ ...base, recipients }), '#/recipients');
      expectPointer(await bulk({ ...base, recipients: [] }), '#/recipients');
      expectPointer(await bulk({ ...base, recipients: [{ userId: patient.id, address: 'a@example.com' }] }), '#/recipients/0');
      expect(await listAll(t.app, admin.accessToken, { recipient: 'r0@example.com' })).toEqual([]);
    });
  });

  describe('scheduling and cancelling', () => {
    it('keeps a scheduled send pending, and withdraws it by its de-duplication key', async () => {
      const address = uniqueEmail('scheduled');
      const sendAt = new Date(Date.now() + HOUR_MS);
      const deduplicationKey = `scheduled-${randomUUID()}`;
      const res = await send(email({ address }, { sendAt: sendAt.toISOString(), deduplicationKey }));
      expect(res.status).toBe(202);
      expect(res.body.notification).toMatchObject({ status: 'pending', sendAt: sendAt.toISOString() });
      // Two sweeps later it is still waiting for its time.
      const sweeps = () => metric(t.app, 'aura_jobs_total', { queue: 'notifications.sweep', outcome: 'completed' });
      const before = await sweeps();
      await waitUntil(async () => (await sweeps()) >= before + 2, 'two sweeps ran');
      expect(await getNotification(t.app, admin.accessToken, res.body.notification.id)).toMatchObject({
        status: 'pending',
        attempts: 0,
      });

      const cancel = (key: string) =>
        request(t.app).post('/api/notifications/cancel').set(bearer(admin.accessToken)).send({ deduplicationKey: key });
      const cancelled = await cancel(deduplicationKey);
      expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
      expect(cancelled.body).toMatchObject({
        id: res.body.notification.id,
        status: 'cancelled',
        cancelledAt: expect.any(String),
      });
      expectProblem(await cancel(deduplicationKey), 409, 'notifications.invalid_transition');
      expectProblem(await cancel(`unknown-${randomUUID()}`), 404, 'notifications.notification_not_found');
      expect(await devMails(t.app, address)).toEqual([]);
    });

    it('withdraws a pending notification by id, but not one already sent', async () => {
      const cancelById = (id: string) => request(t.app).post(`/api/notifications/${id}/cancel`).set(bearer(admin.accessToken));
      const scheduled = await send(email({ address: uniqueEmail() }, { sendAt: new Date(Date.now() + HOUR_MS).toISOString() }));
      const cancelled = await cancelById(scheduled.body.notification.id);
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.status).toBe('cancelled');

      const now = await send(email({ address: uniqueEmail() }));
      await waitForStatus(t.app, admin.accessToken, now.body.notification.id, 'sent');
      const refused = await cancelById(now.body.notification.id);
      expectProblem(refused, 409, 'notifications.invalid_transition');
      expect((await getNotification(t.app, admin.accessToken, now.body.notification.id)).status).toBe('sent');
      expectProblem(await cancelById(UNKNOWN_ID), 404, 'notifications.notification_not_found');
    });

    it('withdraws a deactivated account’s scheduled notifications, and refuses new ones', async () => {
      const person = await loggedInPatient(t.app);
      const later = new Date(Date.now() + HOUR_MS).toISOString();
      const scheduled = await send(email({ userId: person.id }, { sendAt: later, subject: 'For later' }));
      expect(scheduled.body.outcome).toBe('queued');
      const deactivated = await request(t.app)
        .post(`/api/users/${person.id}/deactivate`)
        .set(bearer(admin.accessToken))
        .send({ reason: 'test' });
      expect(deactivated.status, JSON.stringify(deactivated.body)).toBe(200);
      const cancelled = await waitForStatus(t.app, admin.accessToken, scheduled.body.notification.id, 'cancelled');
      expect(cancelled.lastError).toMatch(/deactivated/);
      expectProblem(await send(email({ userId: person.id })), 409, 'notifications.recipient_inactive');
    });
  });

  describe('statistics', () => {
    it('counts what was sent in a period, per day and channel, with the time it took', async () => {
      const from = new Date();
      const a = await send(email({ address: uniqueEmail('stats') }));
      const b = await send(email({ address: uniqueEmail('stats') }));
      const c = await send(email({ address: uniqueEmail('stats') }, { sendAt: new Date(Date.now() + HOUR_MS).toISOString() }));
      expect(
        (await request(t.app).post(`/api/notifications/${c.body.notification.id}/cancel`).set(bearer(admin.accessToken))).status,
      ).toBe(200);
      const sent = [
        await waitForStatus(t.app, admin.accessToken, a.body.notification.id, 'sent'),
        await waitForStatus(t.app, admin.accessToken, b.body.notification.id, 'sent'),
      ];
      const to = new Date(Date.now() + 1_000);
      const period = { from: from.toISOString(), to: to.toISOString() };
      // Whatever else was created in the period (nothing, normally) is counted too: compare with the list.
      await waitUntil(
        async () => (await listAll(t.app, admin.accessToken, { ...period, status: 'pending' })).length === 0,
        'nothing in the period is pending',
      );
      const listed = await listAll(t.app, admin.accessToken, period);
      expect(listed.map((n) => n.id)).toEqual(expect.arrayContaining([a, b, c].map((r) => r.body.notification.id)));
      const counted: Record<NotificationJson['status'], number> = { pending: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0 };
      for (const n of listed) counted[n.status] += 1;
      expect(counted.sent).toBeGreaterThanOrEqual(2);
      expect(counted.cancelled).toBeGreaterThanOrEqual(1);

      const res = await request(t.app).get('/api/notifications/statistics').set(bearer(admin.accessToken)).query(period);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.from).toBe(period.from);
      expect(res.body.to).toBe(period.to);
      expect(res.body.totals).toEqual(counted);
      const finished = counted.sent + counted.delivered + counted.failed;
      expect(res.body.deliveryRate).toBeCloseTo((counted.sent + counted.delivered) / finished, 6);
      expect(res.body.confirmedRate).toBeCloseTo(counted.delivered / finished, 6);
      // The days add up to the totals, all of it email.
      const sum = { pending: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0 } as Record<string, number>;
      for (const day of res.body.days) {
        expect(day.channel).toBe('email');
        expect(day.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        for (const [status, count] of Object.entries(day.counts)) sum[status] = (sum[status] ?? 0) + (count as number);
      }
      expect(sum).toEqual(res.body.totals);
      expect(res.body.days.map((d: { day: string }) => d.day)).toContain(from.toISOString().slice(0, 10));
      // Median and 95th percentile (interpolated, as percentile_cont) of sentAt − createdAt.
      const times = listed
        .filter((n) => n.sentAt !== null)
        .map((n) => Date.parse(n.sentAt as string) - Date.parse(n.createdAt))
        .sort((p, q) => p - q);
      const percentile = (q: number) => {
        const rank = q * (times.length - 1);
        const low = times[Math.floor(rank)] as number;
        const high = times[Math.ceil(rank)] as number;
        return low + (high - low) * (rank - Math.floor(rank));
      };
      expect(sent.every((n) => times.includes(Date.parse(n.sentAt as string) - Date.parse(n.createdAt)))).toBe(true);
      expect(res.body.timeToSentMs.median).toBeCloseTo(percentile(0.5), 0);
      expect(res.body.timeToSentMs.p95).toBeCloseTo(percentile(0.95), 0);

      const sms = await request(t.app)
        .get('/api/notifications/statistics')
        .set(bearer(admin.accessToken))
        .query({ ...period, channel: 'sms' });
      expect(sms.body).toMatchObject({
        days: [],
        totals: { pending: 0, sent: 0, delivered: 0, failed: 0, cancelled: 0 },
        deliveryRate: null,
        confirmedRate: null,
        timeToSentMs: { median: null, p95: null },
      });

      // The default period is the last 30 days, and includes these.
      const recent = await request(t.app).get('/api/notifications/statistics').set(bearer(admin.accessToken));
      expect(recent.status).toBe(200);
      expect(Date.parse(recent.body.to) - Date.parse(recent.body.from)).toBe(30 * 24 * HOUR_MS);
      expect(recent.body.totals.sent + recent.body.totals.delivered).toBeGreaterThanOrEqual(2);
    });
  });
});
