/**
 * What the use cases do when the database, not the code, has the last word (a constraint that
 * fires although the checks passed, a row changed meanwhile), and the fallbacks of messages and
 * links.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { actor, type TherapyTestBed, therapyTestBed } from '../../test/therapy/fakes.js';
import { BookSession } from './commands/book-session.command.js';
import { GetCalendarFeed, IssueCalendarToken } from './commands/calendar.command.js';
import { CancelSession, RescheduleSession } from './commands/session-transitions.command.js';
import { SetUpTherapistProfile } from './commands/set-up-profile.command.js';
import { ConcurrentSessionModificationError } from './ports/session.repository.port.js';
import type { TherapistRepository } from './ports/therapist.repository.port.js';
import { CancelSessionsOfDeactivatedUser, ConvergeReminders, NotifySessionChange } from './therapy.handlers.js';

let bed: TherapyTestBed;
beforeEach(() => {
  bed = therapyTestBed({ appointmentUrl: 'https://app.example.org/a/', publicBaseUrl: 'https://aura.example.org/' });
});

describe('the exclusion constraints have the last word', () => {
  it('turns a therapist overlap found only by the repository into slot_unavailable: taken', async () => {
    const t = await bed.therapist();
    await bed.book(bed.patient(), t, '2026-11-23T09:00:00.000Z');
    const bookedOf = bed.sessions.bookedOf.bind(bed.sessions);
    bed.sessions.bookedOf = async () => [];
    const booking = await bed.get(BookSession).execute({
      actor: actor(bed.patient()),
      therapistId: t.user.id,
      sessionTypeId: t.typeId,
      startsAt: new Date('2026-11-23T09:30:00.000Z'),
    });
    const mover = bed.patient();
    const mine = await bed.book(mover, t, '2026-11-24T09:00:00.000Z');
    const moved = await bed
      .get(RescheduleSession)
      .execute({ actor: actor(mover), sessionId: mine.id, startsAt: new Date('2026-11-23T09:30:00.000Z') });
    bed.sessions.bookedOf = bookedOf;
    expect(booking._unsafeUnwrapErr().details).toEqual({ reason: 'taken' });
    expect(moved._unsafeUnwrapErr().details).toEqual({ reason: 'taken' });
  });

  it('checks again under the lock: a time taken between the first look and the lock is refused', async () => {
    const t = await bed.therapist();
    const mover = bed.patient();
    const mine = await bed.book(mover, t, '2026-11-24T09:00:00.000Z');
    const therapists: TherapistRepository = bed.therapists;
    const findById = therapists.findById.bind(therapists);
    // Another transaction books 09:00 on Monday while this one waits for the therapist's row.
    let raced = false;
    therapists.findById = async (id, options) => {
      if (options?.lock === true && !raced) {
        raced = true;
        therapists.findById = findById;
        await bed.book(bed.patient(), t, '2026-11-23T09:00:00.000Z');
      }
      return findById(id, options);
    };
    const booking = await bed.get(BookSession).execute({
      actor: actor(bed.patient()),
      therapistId: t.user.id,
      sessionTypeId: t.typeId,
      startsAt: new Date('2026-11-23T09:00:00.000Z'),
    });
    expect(booking._unsafeUnwrapErr().details).toEqual({ reason: 'taken' });
    raced = false;
    therapists.findById = async (id, options) => {
      if (options?.lock === true && !raced) {
        raced = true;
        therapists.findById = findById;
        await bed.book(bed.patient(), t, '2026-11-25T09:00:00.000Z');
      }
      return findById(id, options);
    };
    const moved = await bed
      .get(RescheduleSession)
      .execute({ actor: actor(mover), sessionId: mine.id, startsAt: new Date('2026-11-25T09:00:00.000Z') });
    expect(moved._unsafeUnwrapErr().details).toEqual({ reason: 'taken' });
  });

  it('refuses to save a session someone else saved since it was loaded', async () => {
    const t = await bed.therapist();
    const patient = bed.patient();
    const booked = await bed.book(patient, t, '2026-11-23T09:00:00.000Z');
    const stale = await bed.sessions.findById(booked.id);
    (await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: booked.id, reason: 'other' }))._unsafeUnwrap();
    stale?.cancel({ role: 'admin', userId: null }, 'other', null, bed.clock.now());
    await expect(bed.sessions.save(stale as never)).rejects.toBeInstanceOf(ConcurrentSessionModificationError);
    await expect(bed.sessions.add(stale as never)).rejects.toThrow(/already exists/);
  });

  it('skips a session cancelled between the look-up and the lock when an account is deactivated', async () => {
    const t = await bed.therapist();
    const patient = bed.patient();
    const booked = await bed.book(patient, t, '2026-11-23T09:00:00.000Z');
    (await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: booked.id, reason: 'other' }))._unsafeUnwrap();
    bed.sessions.futureScheduledOf = async () => [booked.id, '0190aaaa-bbbb-7ccc-8ddd-999999999999'];
    await bed.get(CancelSessionsOfDeactivatedUser).handle({ data: { userId: patient.id } } as never);
    expect(bed.sessions.published.filter((e) => e.type === 'therapy_session.cancelled')).toHaveLength(1);
  });
});

describe('fallbacks', () => {
  it('names an unknown person "your contact", keeps a link prefix with its slash, and locates video sessions online', async () => {
    const t = await bed.therapist();
    const patient = bed.patient();
    const booked = await bed.book(patient, t, '2026-11-23T09:00:00.000Z');
    bed.users.remove(t.user.id);
    const [scheduled] = bed.sessionEvents();
    await bed.get(NotifySessionChange).handle(scheduled as never);
    await bed.get(ConvergeReminders).handle(scheduled as never);
    const email = (await bed.notifications.list({ userId: patient.id, channel: 'email' }, { limit: 10 })).items.find(
      (n) => n.state.templateKey === 'appointment.confirmed',
    );
    expect(email?.state.message).toContain('Your appointment with your contact on');
    expect(email?.state.message).toContain(`https://app.example.org/a/${booked.id}`);
    const { token, url } = await bed.get(IssueCalendarToken).execute(actor(patient));
    expect(url).toBe(`https://aura.example.org/api/mental-health/calendar/${token}.ics`);
    expect(JSON.parse((await bed.get(GetCalendarFeed).execute(token))._unsafeUnwrap()).entries[0].location).toBe('Online');
  });

  it('sets up a profile for a therapist the users module cannot name', async () => {
    const ghost = { userId: '0190bbbb-cccc-7ddd-9eee-888888888888', roles: ['therapist' as const] };
    expect((await bed.get(SetUpTherapistProfile).execute(ghost, { timeZone: 'UTC' }))._unsafeUnwrap().displayName).toBe('');
  });

  it('knows no availability and hides nothing for a therapist without a profile', async () => {
    expect(await bed.therapists.availability('nobody')).toEqual({ weeklyRules: [], overrides: [] });
    await bed.therapists.setListed('nobody', false, bed.clock.now());
    expect(await bed.therapists.findById('nobody')).toBeUndefined();
  });
});
