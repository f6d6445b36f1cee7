/**
 * The therapy module as a client uses it, on both back ends: a therapist in Berlin sets up a
 * profile and availability; a patient in São Paulo finds slots across Berlin's next clock change
 * and books; reminders are scheduled, moved and withdrawn; cancellations on time and late, a
 * waiver, the events with their flags; another patient and another therapist see nothing; the
 * calendar feed parses as iCalendar with "Appointment" titles; a deactivated therapist's
 * sessions are cancelled.
 */
import { DEFAULT_CLINICAL_TERMS, findTerm } from '@aura/domain/notifications';
import ICAL from 'ical.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../notifications/notifications-e2e-support.js';
import {
  book,
  call,
  expectStatus,
  hoursAhead,
  type Person,
  person,
  perTarget,
  type Served,
  serveTherapy,
  slots,
  TARGETS,
  type TherapistSetUp,
  therapist,
} from './therapy-e2e-support.js';

const setups = perTarget(
  async (target) => {
    const served = await serveTherapy(target, {
      NOTIFICATIONS_SMS_URL: 'http://127.0.0.1:9/sms',
      NOTIFICATIONS_SMS_SECRET: 'flow-sms-secret-0123456789abcdefghijklmnop',
      THERAPY_APPOINTMENT_URL: 'https://app.aura.example.org/appointments',
    });
    try {
      const t = await therapist(served);
      const patient = await person(served.aura, 'patient', { displayName: 'Ana Souza', timeZone: 'America/Sao_Paulo' });
      const stranger = await person(served.aura, 'patient');
      const otherTherapist = await therapist(served);
      const admin = await person(served.aura, 'admin');
      await expectStatus(
        call(served.base, 'PUT', '/api/notifications/preferences', {
          token: patient.token,
          body: { phoneNumber: '+4915112345678' },
        }),
        200,
      );
      return { served, t, patient, stranger, otherTherapist, admin };
    } catch (error) {
      await served.close();
      throw error;
    }
  },
  ({ served }) => served.close(),
);
afterAll(() => setups.close());

const DAY_MS = 86_400_000;

/** Berlin's UTC offset at an instant, as `+01:00` or `+02:00`. */
function berlinOffset(ms: number): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Berlin', timeZoneName: 'longOffset' })
    .formatToParts(ms)
    .find((part) => part.type === 'timeZoneName')?.value;
  return (name ?? 'GMT+00:00').replace('GMT', '');
}

/** The Sunday (its UTC midnight) of Berlin's next clock change at least two days ahead, and the offsets around it. */
function nextBerlinChange(): { sunday: Date; before: string; after: string } {
  const today = new Date();
  const midnight = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  for (let day = 2; day < 400; day++) {
    const at = midnight + day * DAY_MS;
    if (berlinOffset(at) !== berlinOffset(at + DAY_MS))
      return { sunday: new Date(at), before: berlinOffset(at), after: berlinOffset(at + DAY_MS) };
  }
  throw new Error('Berlin has no clock change in the next 400 days');
}

interface NotificationJson {
  deduplicationKey: string | null;
  status: string;
  channel: string;
  message: string | null;
  subject: string | null;
  templateKey: string | null;
  sendAt: string;
}

describe.each(TARGETS)('therapy sessions end to end (%s)', (target) => {
  let served: Served;
  let t: TherapistSetUp;
  let patient: Person;
  let stranger: Person;
  let otherTherapist: TherapistSetUp;
  let admin: Person;
  beforeAll(async () => {
    ({ served, t, patient, stranger, otherTherapist, admin } = await setups.get(target));
  });

  const session = (id: string, who: Person, action = '', body?: unknown) =>
    call(
      served.base,
      action === '' ? 'GET' : 'POST',
      `/api/mental-health/therapy-sessions/${id}${action === '' ? '' : `/${action}`}`,
      {
        token: who.token,
        ...(body === undefined && action !== '' ? { body: {} } : body === undefined ? {} : { body }),
      },
    );

  const notificationsOf = async (userId: string): Promise<NotificationJson[]> =>
    (
      await expectStatus<{ items: NotificationJson[] }>(
        call(served.base, 'GET', `/api/notifications?userId=${userId}&limit=100`, { token: admin.token }),
        200,
      )
    ).items;

  const reminders = async (sessionId: string) =>
    (await notificationsOf(patient.id)).filter((n) => n.deduplicationKey?.startsWith(`therapy:reminder:${sessionId}:`));

  const events = async (sessionId: string) => {
    const { rows } = await sql<{ event_type: string; data: Record<string, unknown> }>`
      select event_type, data from platform.outbox where aggregate_id = ${sessionId} order by position`.execute(
      served.aura.database.db,
    );
    return rows.map((row) => ({ type: row.event_type, ...row.data }) as { type: string } & Record<string, unknown>);
  };

  it('finds slots across Berlin’s next clock change, in the patient’s zone by default', async () => {
    const change = nextBerlinChange();
    const day = (shift: number) => new Date(change.sunday.getTime() + shift * DAY_MS).toISOString().slice(0, 10);
    const from = new Date(change.sunday.getTime() - DAY_MS);
    const to = new Date(change.sunday.getTime() + 2 * DAY_MS);
    const labels = (await slots(served, patient, t, from, to, 'Europe/Berlin')).map((s) => s.localStartsAt);
    // A weekly 09:00 stays 09:00 local on both sides; only its offset changes.
    expect(labels).toContain(`${day(-1)}T09:00:00${change.before}`);
    expect(labels).toContain(`${day(1)}T09:00:00${change.after}`);
    const twoOClock = labels.filter((l) => l.startsWith(`${day(0)}T02:`));
    if (change.before === '+01:00') {
      // Spring forward: 02:00–02:59 does not exist, so it offers nothing.
      expect(twoOClock).toEqual([]);
      expect(labels).toContain(`${day(0)}T03:00:00+02:00`);
    } else {
      // Fall back: 02:00–02:59 happens twice and is offered once, at its first occurrence.
      expect(twoOClock).toEqual([`${day(0)}T02:00:00+02:00`, `${day(0)}T02:30:00+02:00`]);
    }
    // In São Paulo (UTC−3 all year) the same 09:00 Berlin is 05:00 in Berlin’s winter and 04:00 in its summer.
    const inSaoPaulo = await slots(served, patient, t, from, to);
    expect(inSaoPaulo.every((s) => s.localStartsAt.endsWith('-03:00'))).toBe(true);
    const mondayNine = new Date(`${day(1)}T09:00:00${change.after}`).toISOString();
    expect(inSaoPaulo.find((s) => s.startsAt === mondayNine)?.localStartsAt).toBe(
      `${day(1)}T0${change.after === '+02:00' ? 4 : 5}:00:00-03:00`,
    );
    const booked = await expectStatus(book(served, patient, t, mondayNine), 201);
    expect(booked).toMatchObject({
      status: 'scheduled',
      version: 1,
      priceMinor: 9000,
      currency: 'EUR',
      endsAt: new Date(new Date(mondayNine).getTime() + 50 * 60_000).toISOString(),
    });
  });

  it('keeps sessions to their parties: another patient or therapist gets a 404, a patient cannot start one', async () => {
    const mine = await expectStatus<{ id: string }>(book(served, patient, t, hoursAhead(200)), 201);
    for (const who of [stranger, otherTherapist]) {
      for (const answer of [
        await session(mine.id, who),
        await session(mine.id, who, 'reschedule', { startsAt: hoursAhead(210) }),
        await session(mine.id, who, 'cancel', { reason: 'other' }),
      ]) {
        expect(answer.status, answer.text).toBe(404);
        expect(answer.body.type).toBe('urn:aura:problem:therapy.session_not_found');
      }
    }
    expect((await session(mine.id, otherTherapist, 'start')).status).toBe(404);
    expect((await session(mine.id, patient, 'start')).status).toBe(403);
    const listed = await expectStatus<{ items: Array<{ id: string }> }>(
      call(served.base, 'GET', '/api/mental-health/therapy-sessions', { token: stranger.token }),
      200,
    );
    expect(listed.items.map((s) => s.id)).not.toContain(mine.id);
    expect((await session(mine.id, t)).status).toBe(200);
    expect((await session(mine.id, admin)).status).toBe(200);
    // Booking for someone else is an admin's right only.
    expect((await book(served, stranger, t, hoursAhead(220), { patientId: patient.id })).status).toBe(403);
    expect((await book(served, admin, t, hoursAhead(220), { patientId: patient.id })).status).toBe(201);
  });

  it('schedules reminders, moves them with a reschedule and withdraws them on cancellation; SMS texts stay discreet', async () => {
    const booked = await expectStatus<{ id: string; startsAt: string }>(book(served, patient, t, hoursAhead(100)), 201);
    await waitUntil(async () => (await reminders(booked.id)).length === 4, 'four reminders (24 h and 1 h, email and SMS)');
    const first = await reminders(booked.id);
    expect(first.every((n) => n.status === 'pending' && n.deduplicationKey?.includes(':v1:'))).toBe(true);
    expect(first.map((n) => n.sendAt).sort()).toEqual(
      [24 * 60, 24 * 60, 60, 60].map((m) => new Date(new Date(booked.startsAt).getTime() - m * 60_000).toISOString()).sort(),
    );
    for (const sms of first.filter((n) => n.channel === 'sms')) {
      expect(sms.message).toMatch(/^Aura: reminder of your appointment on /);
      expect(findTerm(sms.message as string, DEFAULT_CLINICAL_TERMS)).toBeUndefined();
      expect(sms.message).not.toContain('Bia');
    }
    await waitUntil(
      async () =>
        (await notificationsOf(patient.id)).some((n) => n.templateKey === 'appointment.confirmed' && n.channel === 'sms'),
      'the confirmation',
    );

    const moved = await expectStatus(session(booked.id, patient, 'reschedule', { startsAt: hoursAhead(130) }), 200);
    expect(moved.version).toBe(2);
    await waitUntil(async () => {
      const now = await reminders(booked.id);
      return (
        now.filter((n) => n.deduplicationKey?.includes(':v2:') && n.status === 'pending').length === 4 &&
        now.filter((n) => n.deduplicationKey?.includes(':v1:')).every((n) => n.status === 'cancelled')
      );
    }, 'the reminders to move to version 2');
    const cancelled = await expectStatus(
      session(booked.id, patient, 'cancel', { reason: 'schedule_conflict', note: 'Sorry' }),
      200,
    );
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      version: 3,
      cancelledLate: false,
      feeApplies: false,
      cancellationNote: 'Sorry',
    });
    await waitUntil(
      async () => (await reminders(booked.id)).every((n) => n.status === 'cancelled'),
      'every reminder to be withdrawn',
    );
    expect((await events(booked.id)).map((e) => [e.type, e.version])).toEqual([
      ['therapy_session.scheduled', 1],
      ['therapy_session.rescheduled', 2],
      ['therapy_session.cancelled', 3],
    ]);
    const therapistMessages = async () =>
      (
        await expectStatus<{ items: NotificationJson[] }>(
          call(served.base, 'GET', `/api/notifications?userId=${t.id}&limit=100`, { token: admin.token }),
          200,
        )
      ).items;
    await waitUntil(
      async () => (await therapistMessages()).some((n) => n.templateKey === 'appointment.cancelled'),
      'the therapist to be told',
    );
  });

  it('a late cancellation by the patient carries a fee the therapist can waive; start and no-show wait for their time', async () => {
    const booked = await expectStatus<{ id: string }>(book(served, patient, t, hoursAhead(3)), 201);
    expect((await session(booked.id, t, 'start')).body).toMatchObject({
      status: 409,
      type: 'urn:aura:problem:therapy.too_early',
    });
    expect((await session(booked.id, t, 'no-show')).body).toMatchObject({
      status: 409,
      type: 'urn:aura:problem:therapy.too_early',
    });
    const cancelled = await expectStatus(session(booked.id, patient, 'cancel', { reason: 'personal' }), 200);
    expect(cancelled).toMatchObject({ cancelledLate: true, feeApplies: true, feeReason: 'late_cancellation' });
    expect((await session(booked.id, patient, 'waive-fee', { reason: 'goodwill' })).status).toBe(403);
    const waived = await expectStatus(session(booked.id, t, 'waive-fee', { reason: 'emergency', note: 'Family emergency' }), 200);
    expect(waived).toMatchObject({ feeWaiverReason: 'emergency', feeWaivedBy: { role: 'therapist', userId: t.id } });
    expect((await session(booked.id, t, 'waive-fee', { reason: 'emergency' })).body.type).toBe(
      'urn:aura:problem:therapy.no_fee_to_waive',
    );
    const [, cancelledEvent, waivedEvent] = await events(booked.id);
    expect(cancelledEvent).toMatchObject({
      type: 'therapy_session.cancelled',
      late: true,
      feeApplies: true,
      priceMinor: 9000,
      currency: 'EUR',
      reason: 'personal',
    });
    expect(JSON.stringify(cancelledEvent)).not.toContain('Family');
    expect(waivedEvent).toMatchObject({
      type: 'therapy_session.fee_waived',
      waiverReason: 'emergency',
      feeReason: 'late_cancellation',
      version: 3,
    });
  });

  it('serves a calendar feed that parses as iCalendar, titled "Appointment"; rotating or revoking it closes the old address', async () => {
    expect((await call(served.base, 'GET', '/api/mental-health/calendar/token', { token: patient.token })).status).toBe(404);
    const issued = await expectStatus<{ token: string; url: string }>(
      call(served.base, 'POST', '/api/mental-health/calendar/token', { token: patient.token }),
      201,
    );
    expect(issued.url).toBe(`http://localhost:3000/api/mental-health/calendar/${issued.token}.ics`);
    const feed = await call(served.base, 'GET', `/api/mental-health/calendar/${issued.token}.ics`);
    expect(feed.status).toBe(200);
    expect(feed.type).toMatch(/^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(feed.text));
    const entries = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry.summary).toBe('Appointment');
      expect(entry.description).toMatch(/^Details: https:\/\/app\.aura\.example\.org\/appointments\//);
    }
    expect(findTerm(feed.text, DEFAULT_CLINICAL_TERMS)).toBeUndefined();
    expect(feed.text).not.toMatch(/Bia|Ana Souza|Individual session/);
    const rotated = await expectStatus<{ token: string }>(
      call(served.base, 'POST', '/api/mental-health/calendar/token', { token: patient.token }),
      201,
    );
    expect((await call(served.base, 'GET', `/api/mental-health/calendar/${issued.token}.ics`)).status).toBe(404);
    expect((await call(served.base, 'GET', `/api/mental-health/calendar/${rotated.token}.ics`)).status).toBe(200);
    expect((await call(served.base, 'DELETE', '/api/mental-health/calendar/token', { token: patient.token })).status).toBe(204);
    expect((await call(served.base, 'GET', `/api/mental-health/calendar/${rotated.token}.ics`)).status).toBe(404);
  });

  it('cancels a deactivated therapist’s future sessions (therapist_unavailable, no fee) and hides the profile', async () => {
    const leaving = await therapist(served);
    const booked = await expectStatus<{ id: string }>(book(served, patient, leaving, hoursAhead(150)), 201);
    await expectStatus(call(served.base, 'POST', `/api/users/${leaving.id}/deactivate`, { token: admin.token, body: {} }), 200);
    await waitUntil(async () => (await session(booked.id, patient)).body.status === 'cancelled', 'the session to be cancelled');
    expect((await session(booked.id, patient)).body).toMatchObject({
      cancellationReason: 'therapist_unavailable',
      feeApplies: false,
      cancelledBy: { role: 'system', userId: null },
    });
    expect((await call(served.base, 'GET', `/api/mental-health/therapists/${leaving.id}`, { token: patient.token })).status).toBe(
      404,
    );
  });

  it('lists and filters therapists', async () => {
    const page = await expectStatus<{ items: Array<{ therapistId: string; displayName: string }> }>(
      call(
        served.base,
        'GET',
        '/api/mental-health/therapists?specialty=anxiety&language=pt&acceptingNewPatients=true&modality=video&limit=100',
        { token: patient.token },
      ),
      200,
    );
    expect(page.items.map((i) => i.therapistId)).toEqual(expect.arrayContaining([t.id, otherTherapist.id]));
    expect(
      (
        await expectStatus<{ items: unknown[] }>(
          call(served.base, 'GET', '/api/mental-health/therapists?modality=in_person', { token: patient.token }),
          200,
        )
      ).items,
    ).toEqual([]);
    const me = await expectStatus<{ therapistId: string; timeZone: string }>(
      call(served.base, 'GET', '/api/mental-health/therapists/me', { token: t.token }),
      200,
    );
    expect(me).toMatchObject({ therapistId: t.id, timeZone: 'Europe/Berlin' });
  });
});
