import { beforeEach, describe, expect, it } from 'vitest';
import { actor, type TherapyTestBed, therapyTestBed } from '../../../test/therapy/fakes.js';
import { GetCalendarFeed, GetCalendarTokenStatus, IssueCalendarToken, RevokeCalendarToken } from './calendar.command.js';
import { CancelSession } from './session-transitions.command.js';

let bed: TherapyTestBed;
beforeEach(() => {
  bed = therapyTestBed({ publicBaseUrl: 'https://aura.example.org/base' });
});

describe('the calendar feed', () => {
  it('is issued, rotated and revoked per user; only the hash is stored', async () => {
    const patient = bed.patient();
    const issued = await bed.get(IssueCalendarToken).execute(actor(patient));
    expect(issued).toEqual({
      token: 'cal-1',
      url: 'https://aura.example.org/base/api/mental-health/calendar/cal-1.ics',
      issuedAt: bed.clock.now(),
    });
    expect(await bed.calendarTokens.findUser('h(cal-1)')).toBe(patient.id);
    expect((await bed.get(GetCalendarTokenStatus).execute(actor(patient)))._unsafeUnwrap()).toEqual({
      issuedAt: bed.clock.now(),
    });
    await bed.get(IssueCalendarToken).execute(actor(patient));
    expect((await bed.get(GetCalendarFeed).execute('cal-1'))._unsafeUnwrapErr().type).toBe('therapy.calendar_not_found');
    expect((await bed.get(GetCalendarFeed).execute('cal-2')).isOk()).toBe(true);
    expect((await bed.get(RevokeCalendarToken).execute(actor(patient))).isOk()).toBe(true);
    expect((await bed.get(GetCalendarFeed).execute('cal-2'))._unsafeUnwrapErr().type).toBe('therapy.calendar_not_found');
    expect((await bed.get(RevokeCalendarToken).execute(actor(patient)))._unsafeUnwrapErr().type).toBe(
      'therapy.calendar_not_found',
    );
    expect((await bed.get(GetCalendarTokenStatus).execute(actor(patient)))._unsafeUnwrapErr().type).toBe(
      'therapy.calendar_not_found',
    );
  });

  it('holds the user’s sessions titled "Appointment", without names, cancelled ones left out', async () => {
    const t = await bed.therapist(
      {},
      {
        sessionTypes: [
          { name: 'Depression therapy', durationMinutes: 50, modality: 'in_person', priceMinor: 1, currency: 'EUR' },
        ],
      },
    );
    const patient = bed.patient();
    const kept = await bed.book(patient, t, '2026-11-23T09:00:00.000Z');
    const dropped = await bed.book(patient, t, '2026-11-24T09:00:00.000Z');
    (await bed.get(CancelSession).execute({ actor: actor(patient), sessionId: dropped.id, reason: 'other' }))._unsafeUnwrap();
    for (const who of [patient, t.user]) {
      const { token } = await bed.get(IssueCalendarToken).execute(actor(who));
      const feed = JSON.parse((await bed.get(GetCalendarFeed).execute(token))._unsafeUnwrap());
      expect(feed.entries).toEqual([
        {
          uid: `${kept.id}@aura`,
          sequence: 1,
          start: '2026-11-23T09:00:00.000Z',
          end: '2026-11-23T09:50:00.000Z',
          summary: 'Appointment',
          description: `Details: https://app.aura.example.org/appointments/${kept.id}`,
          location: 'In person',
          url: `https://app.aura.example.org/appointments/${kept.id}`,
          updatedAt: kept.updatedAt.toISOString(),
        },
      ]);
      expect(JSON.stringify(feed)).not.toMatch(/therapy|Depression|Ana|Bia/i);
    }
  });
});
