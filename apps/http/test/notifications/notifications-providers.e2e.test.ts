/**
 * SMS through a real (local) HTTP provider: signed requests with the notification id as the
 * idempotency key, retries, the circuit breaker (postponing without spending attempts, and
 * recovering after the half-open delay), the content and address rules, and signed delivery
 * receipts posted back to /api/notifications/webhooks/{provider}.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminUser, bearer, expectProblem, type RegisteredUser, type TestAura, type Tokens } from '../users/users-e2e-support.js';
import {
  FakeSmsProvider,
  getNotification,
  loggedInPatient,
  metric,
  metricValue,
  perTarget,
  postReceipt,
  scrape,
  signedReceipt,
  startNotificationsAura,
  TARGETS,
  waitForNotification,
  waitForStatus,
  waitUntil,
} from './notifications-e2e-support.js';

const PHONE = '+4915112345678';
const REMINDER = 'Your appointment is tomorrow at 10:00.';
const THRESHOLD = 3;
/** The threshold's failures and one trial call after the half-open delay. */
const MAX_ATTEMPTS = THRESHOLD + 1;
const TOLERANCE_S = 60;
const SMS = { channel: 'sms', provider: 'sms-webhook' };

const setups = perTarget(
  async (target) => {
    const provider = await new FakeSmsProvider().start();
    let t: TestAura | undefined;
    try {
      t = await startNotificationsAura(target, {
        NOTIFICATIONS_SMS_URL: provider.url,
        NOTIFICATIONS_SMS_SECRET: provider.secret,
        NOTIFICATIONS_BREAKER_THRESHOLD: String(THRESHOLD),
        NOTIFICATIONS_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        NOTIFICATIONS_WEBHOOK_TOLERANCE_S: String(TOLERANCE_S),
        // Room for the in-flight test's slow answer (1 s) on a busy machine.
        NOTIFICATIONS_PROVIDER_TIMEOUT_MS: '1500',
      });
      const admin = await adminUser(t.aura, t.app);
      const withPhone = await loggedInPatient(t.app);
      const phone = await request(t.app)
        .put('/api/notifications/preferences')
        .set(bearer(withPhone.accessToken))
        .send({ phoneNumber: PHONE });
      expect(phone.status, JSON.stringify(phone.body)).toBe(200);
      return { provider, t, admin, withPhone };
    } catch (error) {
      await t?.close();
      await provider.close();
      throw error;
    }
  },
  async ({ t, provider }) => {
    await t.close();
    await provider.close();
  },
);
afterAll(() => setups.close());

describe.each(TARGETS)('SMS provider (%s)', (target) => {
  let t: TestAura;
  let provider: FakeSmsProvider;
  let admin: RegisteredUser & Tokens;
  let withPhone: RegisteredUser & Tokens;

  beforeAll(async () => {
    ({ t, provider, admin, withPhone } = await setups.get(target));
  });

  const send = (body: Record<string, unknown>) =>
    request(t.app).post('/api/notifications').set(bearer(admin.accessToken)).send(body);
  const sendSms = (message = REMINDER, userId = withPhone.id) => send({ userId, channel: 'sms', category: 'reminder', message });

  /** An SMS handed to the provider (status sent). */
  async function sentSms(): Promise<string> {
    const res = await sendSms();
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.notification.id as string;
    await waitForStatus(t.app, admin.accessToken, id, 'sent');
    return id;
  }

  const circuit = async () => metric(t.app, 'aura_notification_provider_circuit_state', SMS);

  it('retries a provider that fails twice, then records the SMS as sent after 3 attempts', async () => {
    const before = await scrape(t.app);
    provider.failNext(2);
    const res = await sendSms();
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ outcome: 'queued', notification: { channel: 'sms', recipient: PHONE, status: 'pending' } });
    const id = res.body.notification.id as string;

    const sent = await waitForStatus(t.app, admin.accessToken, id, 'sent');
    expect(sent.attempts).toBe(3);
    expect(sent.lastError).toMatch(/503/);
    const calls = provider.for(id);
    expect(calls.map((c) => c.status)).toEqual([503, 503, 200]);
    for (const call of calls) {
      expect(call.verdict).toBe('ok');
      expect(call.idempotencyKey).toBe(id);
      expect(call.body).toMatchObject({
        id,
        channel: 'sms',
        to: PHONE,
        text: REMINDER,
        category: 'reminder',
        priority: 'normal',
      });
    }

    const after = await scrape(t.app);
    const delta = (name: string, labels: Record<string, string>) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('aura_notification_provider_calls_total', { ...SMS, outcome: 'failed' })).toBe(2);
    expect(delta('aura_notification_provider_calls_total', { ...SMS, outcome: 'sent' })).toBe(1);
    expect(delta('aura_jobs_total', { queue: 'notifications.deliver', outcome: 'retried' })).toBeGreaterThanOrEqual(2);
    expect(metricValue(after, 'aura_notification_provider_circuit_state', SMS)).toBe(0);
  });

  it('opens the circuit after the threshold, postpones without spending attempts, and sends once the provider is back', async () => {
    const before = await scrape(t.app);
    const postponed = async () => metric(t.app, 'aura_jobs_total', { queue: 'notifications.deliver', outcome: 'postponed' });
    const postponedBefore = metricValue(before, 'aura_jobs_total', { queue: 'notifications.deliver', outcome: 'postponed' });
    provider.failNext(THRESHOLD);
    const res = await sendSms();
    expect(res.status).toBe(202);
    const id = res.body.notification.id as string;

    await waitUntil(async () => (await circuit()) === 1, 'the SMS circuit is open');
    // While it is open, jobs are postponed and no attempt is spent.
    let sawOpen = 0;
    await waitUntil(async () => {
      const notification = await getNotification(t.app, admin.accessToken, id);
      const open = (await circuit()) === 1;
      if (open) {
        sawOpen += 1;
        expect(notification.status).toBe('pending');
        expect(notification.attempts).toBeLessThanOrEqual(THRESHOLD);
      }
      return (await postponed()) > postponedBefore;
    }, 'a delivery job was postponed');
    expect(sawOpen).toBeGreaterThan(0);

    const sent = await waitForStatus(t.app, admin.accessToken, id, 'sent');
    // Three failures and the trial call after the half-open delay.
    expect(sent.attempts).toBe(THRESHOLD + 1);
    const calls = provider.for(id);
    expect(calls.map((c) => c.status)).toEqual([503, 503, 503, 200]);
    expect((calls[3]?.at as number) - (calls[2]?.at as number)).toBeGreaterThanOrEqual(995);
    await waitUntil(async () => (await circuit()) === 0, 'the SMS circuit is closed again');

    const after = await scrape(t.app);
    const delta = (name: string, labels: Record<string, string>) =>
      metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('aura_notification_provider_calls_total', { ...SMS, outcome: 'failed' })).toBe(THRESHOLD);
    expect(delta('aura_notification_provider_calls_total', { ...SMS, outcome: 'sent' })).toBe(1);
    expect(delta('aura_jobs_total', { queue: 'notifications.deliver', outcome: 'postponed' })).toBeGreaterThan(0);
  });

  it('marks an SMS failed with the last error once every attempt failed', async () => {
    provider.failNext(1_000);
    try {
      const res = await sendSms();
      const id = res.body.notification.id as string;
      const failed = await waitForStatus(t.app, admin.accessToken, id, 'failed', 20_000);
      // NOTIFICATIONS_MAX_ATTEMPTS calls reached the provider; the runs the open circuit refused did not count.
      expect(failed.attempts).toBe(MAX_ATTEMPTS);
      expect(failed.lastError).toMatch(/503/);
      expect(provider.for(id).map((c) => c.status)).toEqual(Array(MAX_ATTEMPTS).fill(503));
    } finally {
      provider.failNext(0);
    }
    // The circuit recovers with the provider.
    const id = await sentSms();
    expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('sent');
    await waitUntil(async () => (await circuit()) === 0, 'the SMS circuit is closed again');
  });

  it('sends the discreet SMS text of a template: no names, nothing clinical', async () => {
    const res = await send({
      userId: withPhone.id,
      channel: 'sms',
      template: 'appointment.reminder',
      variables: { displayName: 'Ana', startsAt: '2030-01-15T10:00:00Z', withName: 'Dr. Silva', url: 'https://aura.example/a/1' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const id = res.body.notification.id as string;
    await waitForStatus(t.app, admin.accessToken, id, 'sent');
    const [call] = provider.for(id);
    expect(call?.body.text).toMatch(/^Aura: reminder of your appointment on .*2030.*\. Details: https:\/\/aura\.example\/a\/1$/);
    expect(call?.body.text).not.toContain('Dr. Silva');
    expect(call?.body.text).not.toContain('Ana');
  });

  it('marks an SMS the provider refuses (a 4xx) failed at once, without retrying', async () => {
    const rejectedBefore = await metric(t.app, 'aura_notification_provider_calls_total', { ...SMS, outcome: 'rejected' });
    provider.failNext(1, 422);
    const res = await sendSms();
    const failed = await waitForStatus(t.app, admin.accessToken, res.body.notification.id, 'failed');
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toMatch(/422/);
    expect(provider.for(failed.id).map((c) => c.status)).toEqual([422]);
    expect(await metric(t.app, 'aura_notification_provider_calls_total', { ...SMS, outcome: 'rejected' })).toBe(
      rejectedBefore + 1,
    );
    expect(await circuit()).toBe(0);
  });

  it('refuses to withdraw an SMS while it is being handed to the provider', async () => {
    provider.delayNext(1_000);
    const arrived = provider.arrivals;
    const res = await sendSms();
    const id = res.body.notification.id as string;
    await waitUntil(() => provider.arrivals > arrived, 'the provider has the SMS');
    const cancel = await request(t.app).post(`/api/notifications/${id}/cancel`).set(bearer(admin.accessToken));
    expectProblem(cancel, 409, 'notifications.in_flight');
    expect(Number(cancel.headers['retry-after'])).toBeGreaterThan(0);
    const sent = await waitForStatus(t.app, admin.accessToken, id, 'sent');
    expect(sent.attempts).toBe(1);
    expect(provider.for(id).map((c) => c.status)).toEqual([200]);
  });

  it('refuses a clinical word in an SMS, an SMS to a user without a phone, and a channel without a provider', async () => {
    const clinical = await sendSms('Reminder: your therapy session is tomorrow at 10:00.');
    expectProblem(clinical, 422, 'notifications.not_discreet');
    expect(clinical.body.errors).toContainEqual(expect.objectContaining({ in: 'body', pointer: '#/message' }));

    const noPhone = await loggedInPatient(t.app);
    expectProblem(await sendSms(REMINDER, noPhone.id), 409, 'notifications.no_address');

    const push = await send({ userId: withPhone.id, channel: 'push', category: 'reminder', message: REMINDER });
    expectProblem(push, 409, 'notifications.channel_unavailable');
    // Nothing was stored for any of them.
    const listed = await request(t.app)
      .get('/api/notifications')
      .set(bearer(admin.accessToken))
      .query({ userId: noPhone.id, channel: 'sms' });
    expect(listed.body.items).toEqual([]);
  });

  describe('delivery receipts', () => {
    it('applies a signed `delivered` receipt once; the same receipt again is a replay', async () => {
      const id = await sentSms();
      const { body, signature } = signedReceipt(provider.secret, {
        id: `receipt-${randomUUID()}`,
        notificationId: id,
        status: 'delivered',
      });
      const first = await postReceipt(t.app, 'sms', body, signature);
      expect(first.status, JSON.stringify(first.body)).toBe(200);
      expect(first.body).toEqual({ outcome: 'applied' });
      const delivered = await getNotification(t.app, admin.accessToken, id);
      expect(delivered.status).toBe('delivered');
      expect(delivered.deliveredAt).toEqual(expect.any(String));

      const again = await postReceipt(t.app, 'sms', body, signature);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ outcome: 'replayed' });
      expect(await getNotification(t.app, admin.accessToken, id)).toEqual(delivered);
    });

    it('marks a bounced SMS failed with the reason', async () => {
      const id = await sentSms();
      const { body, signature } = signedReceipt(provider.secret, {
        id: `receipt-${randomUUID()}`,
        notificationId: id,
        status: 'bounced',
        reason: 'unknown subscriber',
      });
      const res = await postReceipt(t.app, 'sms', body, signature);
      expect(res.body).toEqual({ outcome: 'applied' });
      const failed = await waitForNotification(t.app, admin.accessToken, id, (n) => n.status === 'failed', 'is failed');
      expect(failed.lastError).toMatch(/bounced/);
      expect(failed.lastError).toContain('unknown subscriber');
      expect(failed.failedAt).toEqual(expect.any(String));
    });

    it('acknowledges a receipt for a notification it does not know', async () => {
      const { body, signature } = signedReceipt(provider.secret, {
        id: `receipt-${randomUUID()}`,
        notificationId: randomUUID(),
        status: 'delivered',
      });
      const res = await postReceipt(t.app, 'sms', body, signature);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ outcome: 'unknown_notification' });
    });

    it('ignores a receipt for a notification that is no longer waiting for one', async () => {
      const scheduled = await send({
        userId: withPhone.id,
        channel: 'sms',
        category: 'reminder',
        message: REMINDER,
        sendAt: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
      });
      const id = scheduled.body.notification.id as string;
      expect((await request(t.app).post(`/api/notifications/${id}/cancel`).set(bearer(admin.accessToken))).status).toBe(200);
      const { body, signature } = signedReceipt(provider.secret, {
        id: `receipt-${randomUUID()}`,
        notificationId: id,
        status: 'delivered',
      });
      const res = await postReceipt(t.app, 'sms', body, signature);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ outcome: 'ignored' });
      expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('cancelled');
    });

    it('does not let the SMS provider’s receipt change an email notification', async () => {
      const mail = await send({
        userId: withPhone.id,
        channel: 'email',
        category: 'reminder',
        subject: 'By email',
        message: REMINDER,
      });
      const id = mail.body.notification.id as string;
      await waitForStatus(t.app, admin.accessToken, id, 'sent');
      const { body, signature } = signedReceipt(provider.secret, {
        id: `receipt-${randomUUID()}`,
        notificationId: id,
        status: 'bounced',
        reason: 'not ours',
      });
      const res = await postReceipt(t.app, 'sms', body, signature);
      expect(res.status).toBe(200);
      expect(res.body.outcome).not.toBe('applied');
      expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('sent');
    });

    it('refuses a wrong, missing or stale signature, and a provider without a secret', async () => {
      const id = await sentSms();
      const receipt = { id: `receipt-${randomUUID()}`, notificationId: id, status: 'delivered' };
      const wrong = signedReceipt('another-secret-that-is-long-enough-0123456789', receipt);
      const refused = async (res: request.Response, reason: string) => {
        expectProblem(res, 401, 'notifications.webhook_unauthenticated');
        expect(res.body.details).toMatchObject({ reason });
      };
      await refused(await postReceipt(t.app, 'sms', wrong.body, wrong.signature), 'bad_signature');
      await refused(await postReceipt(t.app, 'sms', wrong.body, undefined), 'missing_signature');
      await refused(await postReceipt(t.app, 'sms', wrong.body, 't=abc,v1=zz'), 'bad_signature');
      const old = signedReceipt(provider.secret, receipt, Math.floor(Date.now() / 1000) - TOLERANCE_S * 2);
      await refused(await postReceipt(t.app, 'sms', old.body, old.signature), 'stale');
      const future = signedReceipt(provider.secret, receipt, Math.floor(Date.now() / 1000) + TOLERANCE_S * 2);
      await refused(await postReceipt(t.app, 'sms', future.body, future.signature), 'stale');
      // Push has no provider and no secret here: whatever the signature, it is refused.
      const good = signedReceipt(provider.secret, receipt);
      await refused(await postReceipt(t.app, 'push', good.body, good.signature), 'unknown_provider');
      // A body signed for one receipt does not carry another.
      const tampered = good.body.replace('delivered', 'failed');
      await refused(await postReceipt(t.app, 'sms', tampered, good.signature), 'bad_signature');

      expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('sent');
      // The refused requests did not use the receipt id up: signed properly, it still applies.
      expect((await postReceipt(t.app, 'sms', good.body, good.signature)).body).toEqual({ outcome: 'applied' });
    });

    it('answers a correctly signed body that is not a receipt with 400 invalid_receipt', async () => {
      const id = await sentSms();
      for (const receipt of [
        { notificationId: id, status: 'delivered' },
        { id: 'r', notificationId: 'not-a-uuid', status: 'delivered' },
        { id: 'r', notificationId: id, status: 'read' },
        { id: 'r', notificationId: id, status: 'delivered', extra: true },
        [],
        'just a string',
      ]) {
        const { body, signature } = signedReceipt(provider.secret, JSON.stringify(receipt));
        const res = await postReceipt(t.app, 'sms', body, signature);
        expectProblem(res, 400, 'notifications.invalid_receipt');
      }
      expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('sent');
    });

    it('answers correctly signed malformed JSON with 400 invalid_receipt', async () => {
      for (const malformed of ['{', '{"id":"r",', 'not json']) {
        const { body, signature } = signedReceipt(provider.secret, malformed);
        const res = await postReceipt(t.app, 'sms', body, signature);
        expectProblem(res, 400, 'notifications.invalid_receipt');
      }
    });

    it('trusts the signature over the raw bytes, not the Content-Type: a signed text/plain receipt applies, an unsigned one is 401', async () => {
      const id = await sentSms();
      const { body, signature } = signedReceipt(provider.secret, {
        id: `receipt-${randomUUID()}`,
        notificationId: id,
        status: 'delivered',
      });
      const forged = await postReceipt(t.app, 'sms', body, 't=1,v1=00', 'text/plain');
      expectProblem(forged, 401, 'notifications.webhook_unauthenticated');
      expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('sent');
      const res = await postReceipt(t.app, 'sms', body, signature, 'text/plain');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({ outcome: 'applied' });
      expect((await getNotification(t.app, admin.accessToken, id)).status).toBe('delivered');
    });
  });
});
