import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { actor, type TherapyTestBed, therapyTestBed } from '../../test/therapy/fakes.js';
import { CancelSession, RescheduleSession } from './commands/session-transitions.command.js';
import { GetTherapist } from './queries/therapists.queries.js';
import {
  CancelSessionsOfDeactivatedUser,
  ConvergeReminders,
  NotifySessionChange,
  RelistReactivatedTherapist,
  reminderKey,
} from './therapy.handlers.js';

let bed: TherapyTestBed;
beforeEach(() => {
  bed = therapyTestBed();
});

const MONDAY_9 = '2026-11-23T09:00:00.000Z';

async function booked() {
  const therapist = await bed.therapist();
  const patient = bed.patient();
  await bed.prefer(patient.id, { phoneNumber: '+4915112345678' });
  const session = await bed.book(patient, therapist, MONDAY_9);
  return { therapist, patient, session };
}

const run = async (bedEvents: ReturnType<TherapyTestBed['sessionEvents']>) => {
  for (const event of bedEvents) {
    await bed.get(ConvergeReminders).handle(event as never);
  }
};

describe('NotifySessionChange', () => {
  it('confirms to the patient and tells the therapist, on every channel they have, once per event', async () => {
    const { patient, therapist } = await booked();
    const [scheduled] = bed.sessionEvents();
    const handler = bed.get(NotifySessionChange);
    await handler.handle(scheduled as never);
    await handler.handle(scheduled as never);
    const all = (await bed.notifications.list({}, { limit: 100 })).items.map((n) => n.state);
    expect(all.map((n) => [n.userId, n.templateKey, n.channel]).sort()).toEqual(
      [
        [patient.id, 'appointment.confirmed', 'email'],
        [patient.id, 'appointment.confirmed', 'sms'],
        [therapist.user.id, 'appointment.booked', 'email'],
      ].sort(),
    );
    const sms = all.find((n) => n.channel === 'sms');
    expect(sms?.message).toMatch(
      /^Aura: your appointment on .* is confirmed\. Details: https:\/\/app\.aura\.example\.org\/appointments\//,
    );
    expect(all.find((n) => n.templateKey === 'appointment.booked')?.message).toContain('Ana Souza');
  });

  it('tells the other party of a reschedule or cancellation, and both when an admin or Aura acts', async () => {
    const { patient, therapist, session } = await booked();
    (
      await bed
        .get(RescheduleSession)
        .execute({ actor: actor(patient), sessionId: session.id, startsAt: new Date('2026-11-24T10:00:00Z') })
    )._unsafeUnwrap();
    const admin = bed.seedUser({ role: 'admin' });
    (await bed.get(CancelSession).execute({ actor: actor(admin), sessionId: session.id, reason: 'other' }))._unsafeUnwrap();
    const [, rescheduled, cancelled] = bed.sessionEvents();
    await bed.get(NotifySessionChange).handle(rescheduled as never);
    await bed.get(NotifySessionChange).handle(cancelled as never);
    const emails = (await bed.notifications.list({ channel: 'email' }, { limit: 100 })).items.map((n) => [
      n.state.userId,
      n.state.templateKey,
    ]);
    expect(emails.sort()).toEqual(
      [
        [therapist.user.id, 'appointment.rescheduled'],
        [patient.id, 'appointment.cancelled'],
        [therapist.user.id, 'appointment.cancelled'],
      ].sort(),
    );
  });

  it('fails loudly when a message cannot be queued for another reason than a missing address', async () => {
    await booked();
    const [scheduled] = bed.sessionEvents();
    const broken = { ...scheduled, data: { ...scheduled?.data, startsAt: 'not a time' } };
    await expect(bed.get(NotifySessionChange).handle(broken as never)).rejects.toThrow(
      /notifications.invalid_template_variables/,
    );
  });
});

describe('ConvergeReminders', () => {
  it('schedules 24 h and 1 h reminders for both parties under keys with the session, version and offset', async () => {
    const { session } = await booked();
    await run(bed.sessionEvents());
    const keys = await bed.pendingKeys();
    expect([...keys.keys()].sort()).toEqual(
      [
        reminderKey(session.id, 1, 1440, 'patient', 'email'),
        reminderKey(session.id, 1, 1440, 'patient', 'sms'),
        reminderKey(session.id, 1, 1440, 'therapist', 'email'),
        reminderKey(session.id, 1, 60, 'patient', 'email'),
        reminderKey(session.id, 1, 60, 'patient', 'sms'),
        reminderKey(session.id, 1, 60, 'therapist', 'email'),
      ].sort(),
    );
    expect(keys.get(reminderKey(session.id, 1, 1440, 'patient', 'email'))).toBe('2026-11-22T09:00:00.000Z');
    expect(keys.get(reminderKey(session.id, 1, 60, 'patient', 'sms'))).toBe('2026-11-23T08:00:00.000Z');
  });

  it('skips a reminder whose time has passed', async () => {
    const { session } = await booked();
    bed.moveTo('2026-11-22T10:00:00.000Z');
    await run(bed.sessionEvents());
    expect([...(await bed.pendingKeys()).keys()].every((key) => key.includes(':60m:'))).toBe(true);
    expect(session.id).toBeDefined();
  });

  it('moves the reminders with a reschedule and withdraws them on cancellation, whatever order the events come in', async () => {
    const { patient, session } = await booked();
    (
      await bed
        .get(RescheduleSession)
        .execute({ actor: actor(patient), sessionId: session.id, startsAt: new Date('2026-11-25T10:00:00Z') })
    )._unsafeUnwrap();
    const events = bed.sessionEvents();
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...events, ...events], { minLength: 1 }), async (order) => {
        await run(order);
        const keys = [...(await bed.pendingKeys()).keys()];
        expect(keys.length).toBe(6);
        expect(keys.every((key) => key.includes(`${session.id}:v2:`))).toBe(true);
      }),
      { numRuns: 25 },
    );
    (await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: session.id, reason: 'other' }))._unsafeUnwrap();
    const all = bed.sessionEvents();
    await run([all[2], all[0], all[1]].filter((e) => e !== undefined));
    expect((await bed.pendingKeys()).size).toBe(0);
  });

  it('does nothing for a session it cannot find', async () => {
    await bed.get(ConvergeReminders).handle({ data: { sessionId: '0190aaaa-bbbb-7ccc-8ddd-999999999999' } } as never);
    expect((await bed.pendingKeys()).size).toBe(0);
  });
});

describe('deactivation', () => {
  it('cancels a deactivated therapist’s future sessions (no fee, therapist_unavailable) and unlists them', async () => {
    const { therapist, patient, session } = await booked();
    bed.moveTo('2026-11-23T08:30:00.000Z');
    await bed.get(CancelSessionsOfDeactivatedUser).handle({ data: { userId: therapist.user.id } } as never);
    const stored = (await bed.sessions.findById(session.id))?.state;
    expect(stored).toMatchObject({
      status: 'cancelled',
      cancellationReason: 'therapist_unavailable',
      cancelledBy: { role: 'system', userId: null },
      feeApplies: false,
      cancelledLate: true,
    });
    expect((await bed.get(GetTherapist).execute(actor(patient), therapist.user.id))._unsafeUnwrapErr().type).toBe(
      'therapy.therapist_not_found',
    );
    await bed.get(RelistReactivatedTherapist).handle({ data: { userId: therapist.user.id } } as never);
    expect((await bed.get(GetTherapist).execute(actor(patient), therapist.user.id)).isOk()).toBe(true);
  });

  it('cancels a deactivated patient’s future sessions with patient_unavailable; other users are left alone', async () => {
    const { patient, session } = await booked();
    await bed.get(CancelSessionsOfDeactivatedUser).handle({ data: { userId: patient.id } } as never);
    expect((await bed.sessions.findById(session.id))?.state.cancellationReason).toBe('patient_unavailable');
    await bed.get(CancelSessionsOfDeactivatedUser).handle({ data: { userId: patient.id } } as never);
    await bed.get(RelistReactivatedTherapist).handle({ data: { userId: patient.id } } as never);
    expect(bed.sessions.published.filter((e) => e.type === 'therapy_session.cancelled')).toHaveLength(1);
  });
});
