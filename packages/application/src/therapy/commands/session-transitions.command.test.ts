import { beforeEach, describe, expect, it } from 'vitest';
import { actor, type TherapyTestBed, therapyTestBed } from '../../../test/therapy/fakes.js';
import { BookSession } from './book-session.command.js';
import {
  CancelSession,
  CompleteSession,
  MarkNoShow,
  RescheduleSession,
  StartSession,
  WaiveFee,
} from './session-transitions.command.js';

let bed: TherapyTestBed;
beforeEach(() => {
  bed = therapyTestBed();
});

const MONDAY_9 = '2026-11-23T09:00:00.000Z';

async function booked() {
  const therapist = await bed.therapist();
  const patient = bed.patient();
  const session = await bed.book(patient, therapist, MONDAY_9);
  return { therapist, patient, session, admin: bed.seedUser({ role: 'admin' }), stranger: bed.patient() };
}

describe('who may touch a session', () => {
  it('is a 404 for another patient and another therapist, whatever they try', async () => {
    const { session, stranger } = await booked();
    const otherTherapist = await bed.therapist({ displayName: 'Other' });
    for (const who of [actor(stranger), actor(otherTherapist.user)]) {
      const sessionId = session.id;
      const results = [
        await bed.get(CancelSession).execute({ actor: who, sessionId, reason: 'other' }),
        await bed.get(StartSession).execute({ actor: who, sessionId }),
        await bed.get(CompleteSession).execute({ actor: who, sessionId }),
        await bed.get(MarkNoShow).execute({ actor: who, sessionId }),
        await bed.get(WaiveFee).execute({ actor: who, sessionId, reason: 'goodwill' }),
        await bed.get(RescheduleSession).execute({ actor: who, sessionId, startsAt: new Date('2026-11-24T09:00:00Z') }),
      ];
      for (const result of results) expect(result._unsafeUnwrapErr().type).toBe('therapy.session_not_found');
    }
    expect(
      (await bed.get(CancelSession).execute({ actor: actor(stranger), sessionId: 'nope', reason: 'other' }))._unsafeUnwrapErr()
        .type,
    ).toBe('therapy.session_not_found');
  });
});

describe('cancel', () => {
  it('on time: no fee, version 2, and the domain’s error for a second cancel', async () => {
    const { patient, session } = await booked();
    const cancelled = (
      await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: session.id, reason: 'personal', note: 'Sorry' })
    )._unsafeUnwrap();
    expect(cancelled).toMatchObject({
      status: 'cancelled',
      version: 2,
      cancelledLate: false,
      feeApplies: false,
      cancellationNote: 'Sorry',
    });
    const again = await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: session.id, reason: 'personal' });
    expect(again._unsafeUnwrapErr().type).toBe('therapy.invalid_transition');
  });

  it('late by the patient: the fee applies; the therapist waives it with a reason', async () => {
    const { patient, therapist, session } = await booked();
    bed.moveTo('2026-11-23T07:00:00.000Z');
    const cancelled = (
      await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: session.id, reason: 'personal' })
    )._unsafeUnwrap();
    expect(cancelled).toMatchObject({ cancelledLate: true, feeApplies: true, feeReason: 'late_cancellation' });
    const waived = (
      await bed.get(WaiveFee).execute({ actor: actor(therapist.user), sessionId: session.id, reason: 'emergency', note: 'Flu' })
    )._unsafeUnwrap();
    expect(waived).toMatchObject({
      feeWaiverReason: 'emergency',
      feeWaiverNote: 'Flu',
      feeWaivedBy: { role: 'therapist' },
      version: 3,
    });
  });
});

describe('start, complete, no-show', () => {
  it('the therapist starts and completes; the patient cannot', async () => {
    const { patient, therapist, session } = await booked();
    bed.moveTo('2026-11-23T08:50:00.000Z');
    expect((await bed.get(StartSession).execute({ actor: actor(patient), sessionId: session.id }))._unsafeUnwrapErr().type).toBe(
      'therapy.action_not_allowed',
    );
    expect(
      (await bed.get(StartSession).execute({ actor: actor(therapist.user), sessionId: session.id }))._unsafeUnwrap().status,
    ).toBe('started');
    bed.moveTo('2026-11-23T09:50:00.000Z');
    const done = (
      await bed.get(CompleteSession).execute({ actor: actor(therapist.user), sessionId: session.id })
    )._unsafeUnwrap();
    expect(done).toMatchObject({ status: 'completed', version: 3 });
  });

  it('an admin marks a no-show after the grace period: the fee applies', async () => {
    const { admin, session } = await booked();
    bed.moveTo('2026-11-23T09:10:00.000Z');
    expect((await bed.get(MarkNoShow).execute({ actor: actor(admin), sessionId: session.id }))._unsafeUnwrapErr().type).toBe(
      'therapy.too_early',
    );
    bed.moveTo('2026-11-23T09:15:00.000Z');
    expect((await bed.get(MarkNoShow).execute({ actor: actor(admin), sessionId: session.id }))._unsafeUnwrap()).toMatchObject({
      status: 'no_show',
      feeApplies: true,
      feeReason: 'no_show',
    });
  });
});

describe('reschedule', () => {
  it('moves the session to another offered time in one change (version 2), late inside the notice', async () => {
    const { patient, session } = await booked();
    const moved = (
      await bed
        .get(RescheduleSession)
        .execute({ actor: actor(patient), sessionId: session.id, startsAt: new Date('2026-11-24T10:00:00Z') })
    )._unsafeUnwrap();
    expect(moved).toMatchObject({
      startsAt: new Date('2026-11-24T10:00:00Z'),
      version: 2,
      rescheduleCount: 1,
      feeApplies: false,
    });
    bed.moveTo('2026-11-24T08:00:00.000Z');
    const late = (
      await bed
        .get(RescheduleSession)
        .execute({ actor: actor(patient), sessionId: session.id, startsAt: new Date('2026-11-25T10:00:00Z') })
    )._unsafeUnwrap();
    expect(late).toMatchObject({ version: 3, feeApplies: true, feeReason: 'late_reschedule' });
    expect(bed.sessions.published.map((e) => [e.type, (e.data as { version: number }).version])).toEqual([
      ['therapy_session.scheduled', 1],
      ['therapy_session.rescheduled', 2],
      ['therapy_session.rescheduled', 3],
    ]);
  });

  it('may move within its own old time (the session itself does not block it)', async () => {
    const { therapist, session } = await booked();
    const moved = await bed
      .get(RescheduleSession)
      .execute({ actor: actor(therapist.user), sessionId: session.id, startsAt: new Date('2026-11-23T09:30:00Z') });
    expect(moved._unsafeUnwrap().startsAt).toEqual(new Date('2026-11-23T09:30:00Z'));
  });

  it('refuses a taken or unavailable time, a moved-on session, and the patient’s own other session', async () => {
    const { patient, therapist, session, admin } = await booked();
    const other = bed.patient();
    await bed.book(other, therapist, '2026-11-23T11:00:00.000Z');
    const reschedule = (startsAt: string, who = actor(patient)) =>
      bed.get(RescheduleSession).execute({ actor: who, sessionId: session.id, startsAt: new Date(startsAt) });
    expect((await reschedule('2026-11-23T11:00:00Z'))._unsafeUnwrapErr().details).toEqual({ reason: 'taken' });
    expect((await reschedule('2026-11-23T18:00:00Z'))._unsafeUnwrapErr().details).toEqual({ reason: 'outside_availability' });
    // The patient's session with another therapist at the new time.
    const second = await bed.therapist({ displayName: 'Caio' });
    await bed.book(patient, second, '2026-11-24T09:00:00.000Z');
    expect((await reschedule('2026-11-24T09:00:00Z', actor(admin)))._unsafeUnwrapErr().details).toEqual({
      reason: 'patient_busy',
    });
    (await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: session.id, reason: 'other' }))._unsafeUnwrap();
    expect((await reschedule('2026-11-24T13:00:00Z'))._unsafeUnwrapErr().type).toBe('therapy.invalid_transition');
  });

  it('is a 404 when the therapist’s profile is gone', async () => {
    const { patient, session } = await booked();
    const therapists = bed.therapists as unknown as { findById: (id: string) => Promise<undefined> };
    const original = therapists.findById;
    therapists.findById = async () => undefined;
    const result = await bed
      .get(RescheduleSession)
      .execute({ actor: actor(patient), sessionId: session.id, startsAt: new Date('2026-11-24T10:00:00Z') });
    therapists.findById = original;
    expect(result._unsafeUnwrapErr().type).toBe('therapy.therapist_not_found');
  });
});

describe('a reschedule racing a booking into the same slot', () => {
  it('lets exactly one of them have it', async () => {
    const { patient, therapist, session } = await booked();
    const other = bed.patient();
    const target = new Date('2026-11-24T09:00:00Z');
    const [moved, bookedOther] = await Promise.all([
      bed.get(RescheduleSession).execute({ actor: actor(patient), sessionId: session.id, startsAt: target }),
      bed
        .get(BookSession)
        .execute({ actor: actor(other), therapistId: therapist.user.id, sessionTypeId: therapist.typeId, startsAt: target }),
    ]);
    expect([moved.isOk(), bookedOther.isOk()].filter(Boolean)).toHaveLength(1);
  });
});
