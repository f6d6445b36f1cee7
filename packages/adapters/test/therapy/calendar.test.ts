import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { CryptoSecretTokens } from '../../src/therapy/crypto-secret.tokens.js';
import { IcalCalendarRenderer } from '../../src/therapy/ical-calendar.renderer.js';

describe('IcalCalendarRenderer', () => {
  it('writes iCalendar that a parser reads back: one confirmed VEVENT per entry, in UTC', () => {
    const text = new IcalCalendarRenderer().render({
      name: 'Aura appointments',
      entries: [
        {
          uid: 's-1@aura',
          sequence: 3,
          start: new Date('2026-03-29T07:00:00Z'),
          end: new Date('2026-03-29T07:50:00Z'),
          summary: 'Appointment',
          description: 'Details: https://app.example.org/appointments/s-1',
          location: 'Online',
          url: 'https://app.example.org/appointments/s-1',
          updatedAt: new Date('2026-03-01T10:00:00Z'),
        },
      ],
    });
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    const calendar = new ICAL.Component(ICAL.parse(text));
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Aura appointments');
    const events = calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event?.uid).toBe('s-1@aura');
    expect(event?.summary).toBe('Appointment');
    expect(event?.location).toBe('Online');
    expect(event?.sequence).toBe(3);
    expect(event?.startDate.toJSDate().toISOString()).toBe('2026-03-29T07:00:00.000Z');
    expect(event?.endDate.toJSDate().toISOString()).toBe('2026-03-29T07:50:00.000Z');
    expect(event?.component.getFirstPropertyValue('status')).toBe('CONFIRMED');
  });

  it('writes an empty calendar when there is nothing to show', () => {
    const calendar = new ICAL.Component(ICAL.parse(new IcalCalendarRenderer().render({ name: 'x', entries: [] })));
    expect(calendar.getAllSubcomponents('vevent')).toEqual([]);
  });
});

describe('CryptoSecretTokens', () => {
  it('makes URL-safe 256-bit secrets, different each time, and stores only their SHA-256', () => {
    const tokens = new CryptoSecretTokens();
    const a = tokens.generate();
    const b = tokens.generate();
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.hash(a.token)).toBe(a.hash);
    expect(a.hash).not.toContain(a.token);
  });
});
