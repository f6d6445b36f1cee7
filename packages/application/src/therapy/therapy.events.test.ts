import { type SessionCommand, sessionCommandsArbitrary, sessionTypeArbitrary, uuidV7Arbitrary } from '@aura/domain/testing';
import { DEFAULT_POLICY, TherapySession } from '@aura/domain/therapy';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegrationEventRegistry } from '../platform/events/integration-event.js';
import { therapyEvents } from './therapy.events.js';

const registry = new IntegrationEventRegistry(therapyEvents);
const MINUTE = 60_000;

function apply(s: TherapySession, c: SessionCommand, at: Date) {
  switch (c.kind) {
    case 'reschedule': {
      const start = new Date(s.state.startsAt.getTime() + c.shiftMinutes * MINUTE);
      return s.reschedule(
        { startsAt: start, endsAt: new Date(start.getTime() + s.state.durationMinutes * MINUTE) },
        DEFAULT_POLICY,
        c.by,
        at,
      );
    }
    case 'cancel':
      return s.cancel(c.by, c.reason, c.note, at);
    case 'start':
      return s.start(c.by, at);
    case 'complete':
      return s.complete(c.by, at);
    case 'markNoShow':
      return s.markNoShow(c.by, at);
    case 'waiveFee':
      return s.waiveFee(c.by, c.reason, c.note, at);
  }
}

describe('the therapy integration events', () => {
  it('accept every event the domain records, as JSON, and carry no free text', () => {
    fc.assert(
      fc.property(
        sessionTypeArbitrary,
        uuidV7Arbitrary(),
        uuidV7Arbitrary(),
        uuidV7Arbitrary(),
        sessionCommandsArbitrary,
        (type, id, patientId, therapistId, commands) => {
          const startsAt = new Date('2026-06-10T10:00:00Z');
          const session = TherapySession.schedule(
            {
              id,
              patientId,
              therapistId,
              sessionType: type,
              slot: { startsAt, endsAt: new Date(startsAt.getTime() + type.durationMinutes * MINUTE) },
              policy: DEFAULT_POLICY,
              bookedBy: { role: 'patient', userId: patientId },
            },
            new Date('2026-06-01T10:00:00Z'),
          );
          let now = startsAt.getTime() - 2 * 86_400_000;
          for (const command of commands) {
            now += command.afterMinutes * MINUTE;
            apply(session, command, new Date(now));
          }
          for (const event of session.pullEvents()) {
            const data = JSON.parse(JSON.stringify(event.data));
            expect(registry.validate(event.type, event.version, data)._unsafeUnwrap()).toEqual(data);
            expect(JSON.stringify(data)).not.toContain(type.name);
            expect(JSON.stringify(data)).not.toMatch(/Running late|Train cancelled/);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a float price, a missing version or an unknown reason', () => {
    const base = { sessionId: '0190aaaa-bbbb-7ccc-8ddd-000000000001' };
    expect(registry.validate('therapy_session.scheduled', 1, { ...base, version: 1, priceMinor: 10.5 }).isErr()).toBe(true);
    expect(registry.validate('therapy_session.cancelled', 1, { ...base, reason: 'because' }).isErr()).toBe(true);
  });
});
