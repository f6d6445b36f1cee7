import { beforeEach, describe, expect, it } from 'vitest';
import { actor, type TherapyTestBed, therapyTestBed } from '../../../test/therapy/fakes.js';
import { BookSession } from './book-session.command.js';
import { SetUpTherapistProfile } from './set-up-profile.command.js';

let bed: TherapyTestBed;
let book: BookSession;
beforeEach(() => {
  bed = therapyTestBed();
  book = bed.get(BookSession);
});

// The clock stands at 2026-11-22T08:00:00.250Z (a Sunday); Monday 09:00 UTC is 25 hours ahead.
const MONDAY_9 = '2026-11-23T09:00:00.000Z';

describe('BookSession', () => {
  it('books an offered slot for the patient, with the type, price, buffers and policy it was booked under', async () => {
    const therapist = await bed.therapist();
    const patient = bed.patient();
    const session = await bed.book(patient, therapist, MONDAY_9);
    expect(session).toMatchObject({
      patientId: patient.id,
      therapistId: therapist.user.id,
      sessionTypeId: therapist.typeId,
      modality: 'video',
      durationMinutes: 50,
      priceMinor: 9_000,
      currency: 'EUR',
      startsAt: new Date(MONDAY_9),
      endsAt: new Date('2026-11-23T09:50:00.000Z'),
      blockedUntil: new Date('2026-11-23T10:00:00.000Z'),
      status: 'scheduled',
      version: 1,
      bookedBy: { role: 'patient', userId: patient.id },
      cancellationNoticeMinutes: 24 * 60,
    });
    expect(bed.sessions.published.map((e) => e.type)).toEqual(['therapy_session.scheduled']);
    expect(bed.therapyOutbox.appended.map((a) => a.module)).toEqual(['therapy']);
  });

  it('lets an admin book for a patient, and needs the patient then', async () => {
    const therapist = await bed.therapist();
    const patient = bed.patient();
    const admin = bed.seedUser({ role: 'admin' });
    const input = {
      actor: actor(admin),
      therapistId: therapist.user.id,
      sessionTypeId: therapist.typeId,
      startsAt: new Date(MONDAY_9),
    };
    expect((await book.execute(input))._unsafeUnwrapErr().type).toBe('therapy.patient_required');
    const booked = (await book.execute({ ...input, patientId: patient.id.toUpperCase() }))._unsafeUnwrap();
    expect(booked).toMatchObject({ patientId: patient.id, bookedBy: { role: 'admin', userId: admin.id } });
  });

  it('refuses a patient booking for someone else, and a therapist booking at all', async () => {
    const therapist = await bed.therapist();
    const patient = bed.patient();
    const other = bed.patient();
    const input = { therapistId: therapist.user.id, sessionTypeId: therapist.typeId, startsAt: new Date(MONDAY_9) };
    expect((await book.execute({ ...input, actor: actor(patient), patientId: other.id }))._unsafeUnwrapErr().type).toBe(
      'platform.forbidden',
    );
    expect((await book.execute({ ...input, actor: actor(patient), patientId: patient.id })).isOk()).toBe(true);
    expect((await book.execute({ ...input, actor: actor(therapist.user) }))._unsafeUnwrapErr().type).toBe('platform.forbidden');
  });

  it('names the patient and the therapist that cannot be booked', async () => {
    const therapist = await bed.therapist();
    const admin = bed.seedUser({ role: 'admin' });
    const at = {
      therapistId: therapist.user.id,
      sessionTypeId: therapist.typeId,
      startsAt: new Date(MONDAY_9),
      actor: actor(admin),
    };
    expect((await book.execute({ ...at, patientId: '0190bbbb-cccc-7ddd-9eee-999999999999' }))._unsafeUnwrapErr().type).toBe(
      'therapy.patient_not_found',
    );
    const gone = bed.patient();
    bed.users.deactivate(gone.id);
    expect((await book.execute({ ...at, patientId: gone.id }))._unsafeUnwrapErr().type).toBe('therapy.patient_inactive');
    expect((await book.execute({ ...at, patientId: therapist.user.id }))._unsafeUnwrapErr().type).toBe('therapy.not_a_patient');
    const patient = bed.patient();
    expect((await book.execute({ ...at, patientId: patient.id, therapistId: patient.id }))._unsafeUnwrapErr().type).toBe(
      'therapy.therapist_not_found',
    );
    expect((await book.execute({ ...at, patientId: patient.id, sessionTypeId: patient.id }))._unsafeUnwrapErr()).toMatchObject({
      type: 'therapy.session_type_not_found',
      details: { field: 'sessionTypeId' },
    });
    bed.users.deactivate(therapist.user.id);
    expect((await book.execute({ ...at, patientId: patient.id }))._unsafeUnwrapErr().type).toBe('therapy.therapist_unavailable');
  });

  it('refuses times the therapist does not offer, naming why', async () => {
    const therapist = await bed.therapist();
    const patient = bed.patient();
    const attempt = async (startsAt: string) =>
      (
        await book.execute({
          actor: actor(patient),
          therapistId: therapist.user.id,
          sessionTypeId: therapist.typeId,
          startsAt: new Date(startsAt),
        })
      )._unsafeUnwrapErr().details;
    expect(await attempt('2026-11-22T20:00:00.000Z')).toEqual({ reason: 'inside_notice' });
    expect(await attempt('2027-06-01T09:00:00.000Z')).toEqual({ reason: 'past_horizon' });
    expect(await attempt('2026-11-23T08:00:00.000Z')).toEqual({ reason: 'outside_availability' });
    expect(await attempt('2026-11-23T09:10:00.000Z')).toEqual({ reason: 'outside_availability' });
    await bed.book(patient, therapist, MONDAY_9);
    const other = bed.patient();
    const taken = await book.execute({
      actor: actor(other),
      therapistId: therapist.user.id,
      sessionTypeId: therapist.typeId,
      startsAt: new Date(MONDAY_9),
    });
    expect(taken._unsafeUnwrapErr()).toMatchObject({ type: 'therapy.slot_unavailable', details: { reason: 'taken' } });
  });

  it('holds the patient to one session at a time, whoever the therapist (the exclusion constraint)', async () => {
    const first = await bed.therapist();
    const second = await bed.therapist({ displayName: 'Caio Reis' });
    const patient = bed.patient();
    await bed.book(patient, first, MONDAY_9);
    const clash = await book.execute({
      actor: actor(patient),
      therapistId: second.user.id,
      sessionTypeId: second.typeId,
      startsAt: new Date('2026-11-23T09:30:00.000Z'),
    });
    expect(clash._unsafeUnwrapErr()).toMatchObject({ type: 'therapy.slot_unavailable', details: { reason: 'patient_busy' } });
  });

  it('stops at the daily cap', async () => {
    const therapist = await bed.therapist({}, { policy: { maxSessionsPerDay: 1 } });
    await bed.book(bed.patient(), therapist, MONDAY_9);
    const capped = await book.execute({
      actor: actor(bed.patient()),
      therapistId: therapist.user.id,
      sessionTypeId: therapist.typeId,
      startsAt: new Date('2026-11-23T11:00:00.000Z'),
    });
    expect(capped._unsafeUnwrapErr().details).toEqual({ reason: 'daily_cap' });
  });

  it('keeps a therapist who takes no new patients for the patients they already see', async () => {
    const therapist = await bed.therapist();
    const known = bed.patient();
    await bed.book(known, therapist, MONDAY_9);
    (
      await bed.get(SetUpTherapistProfile).execute(actor(therapist.user), { timeZone: 'UTC', acceptingNewPatients: false })
    )._unsafeUnwrap();
    const stranger = await book.execute({
      actor: actor(bed.patient()),
      therapistId: therapist.user.id,
      sessionTypeId: therapist.typeId,
      startsAt: new Date('2026-11-23T11:00:00.000Z'),
    });
    expect(stranger._unsafeUnwrapErr().type).toBe('therapy.not_accepting_patients');
    expect((await bed.book(known, therapist, '2026-11-24T11:00:00.000Z')).status).toBe('scheduled');
  });
});
