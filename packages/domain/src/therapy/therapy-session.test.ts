import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SessionCommand, sessionCommandsArbitrary, sessionTypeArbitrary, uuidV7Arbitrary } from '../testing/index.js';
import { DEFAULT_POLICY, type SessionType } from './therapist.js';
import { type SessionState, START_WINDOW_MINUTES, TherapySession } from './therapy-session.js';
import type { SessionActor, SessionStatus } from './therapy-session.types.js';
import { MINUTE_MS } from './wall-clock.js';

const HOUR = 60 * MINUTE_MS;
const type: SessionType = {
  id: '0190aaaa-bbbb-7ccc-8ddd-000000000001',
  name: 'Individual',
  durationMinutes: 50,
  modality: 'video',
  priceMinor: 9_000,
  currency: 'EUR',
};
const startsAt = new Date('2026-06-10T10:00:00Z');
const booked = new Date('2026-06-01T10:00:00Z');
const patient: SessionActor = { role: 'patient', userId: '0190aaaa-bbbb-7ccc-8ddd-0000000000a1' };
const therapist: SessionActor = { role: 'therapist', userId: '0190aaaa-bbbb-7ccc-8ddd-0000000000b1' };
const admin: SessionActor = { role: 'admin', userId: '0190aaaa-bbbb-7ccc-8ddd-0000000000c1' };
const system: SessionActor = { role: 'system', userId: null };
const before = (ms: number) => new Date(startsAt.getTime() - ms);
const after = (ms: number) => new Date(startsAt.getTime() + ms);

function session(): TherapySession {
  const s = TherapySession.schedule(
    {
      id: '0190aaaa-bbbb-7ccc-8ddd-0000000000f1',
      patientId: patient.userId as string,
      therapistId: therapist.userId as string,
      sessionType: type,
      slot: { startsAt, endsAt: new Date(startsAt.getTime() + 50 * MINUTE_MS) },
      policy: DEFAULT_POLICY,
      bookedBy: patient,
    },
    booked,
  );
  s.pullEvents();
  return s;
}

describe('TherapySession.schedule', () => {
  it('records therapy_session.scheduled with ids, times, type, price and version 1, and blocks the buffers', () => {
    const s = TherapySession.schedule(
      {
        id: 's-1',
        patientId: 'p-1',
        therapistId: 't-1',
        sessionType: type,
        slot: { startsAt, endsAt: after(50 * MINUTE_MS) },
        policy: { ...DEFAULT_POLICY, bufferBeforeMinutes: 5, bufferAfterMinutes: 10 },
        bookedBy: patient,
      },
      booked,
    );
    expect(s.state).toMatchObject({
      status: 'scheduled',
      version: 1,
      blockedFrom: before(5 * MINUTE_MS),
      blockedUntil: after(60 * MINUTE_MS),
      cancellationNoticeMinutes: 24 * 60,
      noShowGraceMinutes: 15,
      feeApplies: false,
    });
    expect(s.pullEvents()).toEqual([
      {
        type: 'therapy_session.scheduled',
        version: 1,
        aggregateId: 's-1',
        occurredAt: booked,
        data: {
          sessionId: 's-1',
          version: 1,
          status: 'scheduled',
          patientId: 'p-1',
          therapistId: 't-1',
          sessionTypeId: type.id,
          modality: 'video',
          durationMinutes: 50,
          startsAt: startsAt.toISOString(),
          endsAt: after(50 * MINUTE_MS).toISOString(),
          priceMinor: 9_000,
          currency: 'EUR',
          bookedBy: { role: 'patient', userId: patient.userId },
        },
      },
    ]);
  });
});

describe('cancel', () => {
  it('is on time outside the notice: no fee', () => {
    const s = session();
    s.cancel(patient, 'schedule_conflict', ' Sorry ', before(25 * HOUR))._unsafeUnwrap();
    expect(s.state).toMatchObject({
      status: 'cancelled',
      version: 2,
      cancelledLate: false,
      feeApplies: false,
      cancellationNote: 'Sorry',
    });
    expect(s.pullEvents()[0]?.data).toMatchObject({
      late: false,
      feeApplies: false,
      feeReason: null,
      reason: 'schedule_conflict',
    });
  });

  it('is late inside the notice: a fee when the patient cancels, none when the therapist, an admin or the system does', () => {
    const late = before(2 * HOUR);
    const byPatient = session();
    byPatient.cancel(patient, 'personal', null, late)._unsafeUnwrap();
    expect(byPatient.state).toMatchObject({ cancelledLate: true, feeApplies: true, feeReason: 'late_cancellation' });
    for (const actor of [therapist, admin, system]) {
      const s = session();
      s.cancel(actor, 'therapist_unavailable', null, late)._unsafeUnwrap();
      expect(s.state).toMatchObject({ cancelledLate: true, feeApplies: false, feeReason: null });
      expect(s.pullEvents()[0]?.data).toMatchObject({ cancelledBy: { role: actor.role, userId: actor.userId }, late: true });
    }
  });

  it('refuses a second cancellation and a bad note', () => {
    const s = session();
    expect(s.cancel(patient, 'other', 'x'.repeat(501), booked)._unsafeUnwrapErr().type).toBe('therapy.invalid_note');
    expect(s.cancel(patient, 'other', 'a\u0000', booked)._unsafeUnwrapErr().type).toBe('therapy.invalid_note');
    s.cancel(patient, 'other', '   ', booked)._unsafeUnwrap();
    expect(s.state.cancellationNote).toBeNull();
    expect(s.cancel(admin, 'other', null, booked)._unsafeUnwrapErr()).toMatchObject({
      type: 'therapy.invalid_transition',
      details: { from: 'cancelled', action: 'cancelled' },
    });
  });
});

describe('reschedule', () => {
  const slot = { startsAt: after(48 * HOUR), endsAt: after(48 * HOUR + 50 * MINUTE_MS) };

  it('moves the session, bumps the version and says where it was', () => {
    const s = session();
    s.reschedule(slot, { ...DEFAULT_POLICY, bufferAfterMinutes: 0 }, therapist, before(48 * HOUR))._unsafeUnwrap();
    expect(s.state).toMatchObject({ ...slot, version: 2, rescheduleCount: 1, blockedUntil: slot.endsAt, feeApplies: false });
    expect(s.pullEvents()[0]).toMatchObject({
      type: 'therapy_session.rescheduled',
      data: { version: 2, previousStartsAt: startsAt.toISOString(), startsAt: slot.startsAt.toISOString(), late: false },
    });
  });

  it('is late inside the notice; a patient’s late move makes the fee apply, once', () => {
    const s = session();
    s.reschedule(slot, DEFAULT_POLICY, patient, before(HOUR))._unsafeUnwrap();
    expect(s.state).toMatchObject({ feeApplies: true, feeReason: 'late_reschedule', version: 2 });
    s.cancel(patient, 'personal', null, slot.startsAt)._unsafeUnwrap();
    expect(s.state).toMatchObject({ feeApplies: true, feeReason: 'late_reschedule' });
    const byTherapist = session();
    byTherapist.reschedule(slot, DEFAULT_POLICY, therapist, before(HOUR))._unsafeUnwrap();
    expect(byTherapist.state.feeApplies).toBe(false);
  });

  it('is refused to the system and once the session is not scheduled', () => {
    const s = session();
    expect(s.reschedule(slot, DEFAULT_POLICY, system, booked)._unsafeUnwrapErr().type).toBe('therapy.action_not_allowed');
    s.cancel(patient, 'other', null, booked)._unsafeUnwrap();
    expect(s.reschedule(slot, DEFAULT_POLICY, patient, booked)._unsafeUnwrapErr().type).toBe('therapy.invalid_transition');
  });
});

describe('start, complete, no-show and fee waiver', () => {
  it('starts from 15 minutes before the start, by the therapist or an admin, then completes', () => {
    const s = session();
    expect(s.start(patient, startsAt)._unsafeUnwrapErr().type).toBe('therapy.action_not_allowed');
    expect(s.start(therapist, before((START_WINDOW_MINUTES + 1) * MINUTE_MS))._unsafeUnwrapErr()).toMatchObject({
      type: 'therapy.too_early',
      details: { notBefore: before(START_WINDOW_MINUTES * MINUTE_MS).toISOString() },
    });
    s.start(therapist, before(START_WINDOW_MINUTES * MINUTE_MS))._unsafeUnwrap();
    expect(s.complete(patient, startsAt)._unsafeUnwrapErr().type).toBe('therapy.action_not_allowed');
    s.complete(admin, after(HOUR))._unsafeUnwrap();
    expect(s.state).toMatchObject({ status: 'completed', version: 3, completedAt: after(HOUR) });
    expect(s.pullEvents().map((e) => [e.type, e.data.version])).toEqual([
      ['therapy_session.started', 2],
      ['therapy_session.completed', 3],
    ]);
    expect(s.complete(admin, after(HOUR))._unsafeUnwrapErr().type).toBe('therapy.invalid_transition');
  });

  it('marks a no-show only after the grace period, with a fee that a therapist can waive once, with a reason', () => {
    const s = session();
    expect(s.markNoShow(patient, after(HOUR))._unsafeUnwrapErr().type).toBe('therapy.action_not_allowed');
    expect(s.markNoShow(therapist, after(14 * MINUTE_MS))._unsafeUnwrapErr().type).toBe('therapy.too_early');
    expect(s.waiveFee(therapist, 'goodwill', null, after(HOUR))._unsafeUnwrapErr().type).toBe('therapy.no_fee_to_waive');
    s.markNoShow(therapist, after(15 * MINUTE_MS))._unsafeUnwrap();
    expect(s.state).toMatchObject({ status: 'no_show', feeApplies: true, feeReason: 'no_show', version: 2 });
    expect(s.waiveFee(patient, 'goodwill', null, after(HOUR))._unsafeUnwrapErr().type).toBe('therapy.action_not_allowed');
    expect(s.waiveFee(therapist, 'goodwill', 'x'.repeat(501), after(HOUR))._unsafeUnwrapErr().type).toBe('therapy.invalid_note');
    s.waiveFee(admin, 'emergency', 'Hospital', after(HOUR))._unsafeUnwrap();
    expect(s.state).toMatchObject({ feeWaivedBy: admin, feeWaiverReason: 'emergency', feeWaiverNote: 'Hospital', version: 3 });
    expect(s.pullEvents().at(-1)).toMatchObject({
      type: 'therapy_session.fee_waived',
      data: { waiverReason: 'emergency', feeReason: 'no_show', waivedBy: { role: 'admin' } },
    });
    expect(s.waiveFee(admin, 'emergency', null, after(HOUR))._unsafeUnwrapErr().type).toBe('therapy.no_fee_to_waive');
  });

  it('says whether a time is inside the cancellation notice', () => {
    const s = session();
    expect(s.isLate(before(24 * HOUR))).toBe(false);
    expect(s.isLate(before(24 * HOUR - 1))).toBe(true);
    expect(s.persistedVersion).toBe(0);
    const restored = TherapySession.restore(s.state);
    expect(restored.state).toEqual(s.state);
    expect(restored.persistedVersion).toBe(1);
  });
});

/** The moves the status machine allows. */
const EDGES = new Set([
  'scheduled>started',
  'started>completed',
  'scheduled>cancelled',
  'scheduled>no_show',
  'scheduled>scheduled',
]);
const TERMINAL: readonly SessionStatus[] = ['completed', 'cancelled', 'no_show'];

function apply(s: TherapySession, command: SessionCommand, at: Date) {
  switch (command.kind) {
    case 'reschedule': {
      const start = new Date(s.state.startsAt.getTime() + command.shiftMinutes * MINUTE_MS);
      return s.reschedule(
        { startsAt: start, endsAt: new Date(start.getTime() + s.state.durationMinutes * MINUTE_MS) },
        DEFAULT_POLICY,
        command.by,
        at,
      );
    }
    case 'cancel':
      return s.cancel(command.by, command.reason, command.note, at);
    case 'start':
      return s.start(command.by, at);
    case 'complete':
      return s.complete(command.by, at);
    case 'markNoShow':
      return s.markNoShow(command.by, at);
    case 'waiveFee':
      return s.waiveFee(command.by, command.reason, command.note, at);
  }
}

describe('the status machine (property)', () => {
  it('no sequence of commands reaches an illegal state', () => {
    fc.assert(
      fc.property(sessionTypeArbitrary, uuidV7Arbitrary(), sessionCommandsArbitrary, (sessionType, id, commands) => {
        const s = TherapySession.schedule(
          {
            id,
            patientId: patient.userId as string,
            therapistId: therapist.userId as string,
            sessionType,
            slot: { startsAt, endsAt: new Date(startsAt.getTime() + sessionType.durationMinutes * MINUTE_MS) },
            policy: DEFAULT_POLICY,
            bookedBy: patient,
          },
          booked,
        );
        expect(s.pullEvents()).toHaveLength(1);
        let now = startsAt.getTime() - 2 * 24 * HOUR;
        for (const command of commands) {
          now += command.afterMinutes * MINUTE_MS;
          const was: SessionState = s.state;
          const result = apply(s, command, new Date(now));
          const events = s.pullEvents();
          const state = s.state;
          if (result.isErr()) {
            expect(state).toEqual(was);
            expect(events).toEqual([]);
            continue;
          }
          expect(events).toHaveLength(1);
          expect(state.version).toBe(was.version + 1);
          expect(events[0]?.data.version).toBe(state.version);
          expect(events[0]?.data.status).toBe(state.status);
          if (command.kind !== 'waiveFee') expect(EDGES.has(`${was.status}>${state.status}`)).toBe(true);
          else expect(state.status).toBe(was.status);
          expect(TERMINAL.includes(was.status) && command.kind !== 'waiveFee').toBe(false);
          if (
            command.kind === 'markNoShow' ||
            command.kind === 'start' ||
            command.kind === 'complete' ||
            command.kind === 'waiveFee'
          )
            expect(['therapist', 'admin']).toContain(command.by.role);
          if (command.kind === 'markNoShow')
            expect(now).toBeGreaterThanOrEqual(was.startsAt.getTime() + DEFAULT_POLICY.noShowGraceMinutes * MINUTE_MS);
          // Invariants of every reachable state.
          expect(state.endsAt.getTime() - state.startsAt.getTime()).toBe(state.durationMinutes * MINUTE_MS);
          expect(state.feeWaivedAt === null || state.feeApplies).toBe(true);
          expect(state.feeApplies).toBe(state.feeReason !== null);
          expect(state.status === 'cancelled').toBe(state.cancelledAt !== null);
          expect(state.status === 'no_show').toBe(state.noShowAt !== null);
          expect(state.startedAt !== null).toBe(state.status === 'started' || state.status === 'completed');
          expect(state.priceMinor).toBe(sessionType.priceMinor);
        }
      }),
      { numRuns: 400 },
    );
  });
});
