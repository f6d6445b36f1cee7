import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventQueueName } from './event-subscription.js';
import { defineIntegrationEvent, type IntegrationEvent, IntegrationEventRegistry } from './integration-event.js';

const registeredV1 = defineIntegrationEvent({
  type: 'user.registered',
  version: 1,
  sourceModule: 'users',
  schema: z.object({ userId: z.string(), email: z.email() }),
});
const registeredV2 = defineIntegrationEvent({
  type: 'user.registered',
  version: 2,
  sourceModule: 'users',
  schema: z.object({ userId: z.string(), email: z.email(), locale: z.string().default('en') }),
});
const sessionScheduled = defineIntegrationEvent({
  type: 'therapy_session.scheduled',
  version: 1,
  sourceModule: 'therapy',
  schema: z.object({ sessionId: z.string(), at: z.object({ startsAt: z.iso.datetime() }) }),
});

const envelope = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventId: '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee',
  eventType: 'user.registered',
  occurredAt: '2026-11-21T10:00:00.000Z',
  sourceModule: 'users',
  version: 1,
  data: { userId: 'u-1', email: 'ada@example.org' },
  metadata: { correlationId: 'c-1', causationId: null, userId: null },
  ...overrides,
});

describe('IntegrationEventRegistry', () => {
  it('registers definitions given to the constructor and knows them by type and version', () => {
    const registry = new IntegrationEventRegistry([registeredV1, sessionScheduled]);
    expect(registry.has('user.registered')).toBe(true);
    expect(registry.has('user.registered', 1)).toBe(true);
    expect(registry.has('user.registered', 2)).toBe(false);
    expect(registry.has('user.deactivated')).toBe(false);
    expect(registry.has('user.deactivated', 1)).toBe(false);
  });

  it('starts empty', () => {
    const registry = new IntegrationEventRegistry();
    expect(registry.types()).toEqual([]);
    expect(registry.has('user.registered')).toBe(false);
  });

  it('lists each type once, sorted, whatever the number of versions', () => {
    const registry = new IntegrationEventRegistry([sessionScheduled, registeredV2]);
    registry.register(registeredV1);
    expect(registry.types()).toEqual(['therapy_session.scheduled', 'user.registered']);
  });

  it('accepts the same definition twice but refuses another one for the same type and version', () => {
    const registry = new IntegrationEventRegistry([registeredV1]);
    expect(() => registry.register(registeredV1)).not.toThrow();
    const impostor = defineIntegrationEvent({ ...registeredV1, sourceModule: 'billing' });
    expect(() => registry.register(impostor)).toThrow(
      'integration event user.registered@v1 is defined twice (by users and billing)',
    );
    expect(() => new IntegrationEventRegistry([registeredV1, impostor])).toThrow(/defined twice/);
  });

  it('validates data against the schema of its type and version, returning the parsed data', () => {
    const registry = new IntegrationEventRegistry([registeredV1, registeredV2]);
    expect(registry.validate('user.registered', 1, { userId: 'u', email: 'a@b.co', extra: 1 })._unsafeUnwrap()).toEqual({
      userId: 'u',
      email: 'a@b.co',
    });
    expect(registry.validate('user.registered', 2, { userId: 'u', email: 'a@b.co' })._unsafeUnwrap()).toEqual({
      userId: 'u',
      email: 'a@b.co',
      locale: 'en',
    });
  });

  it('refuses an unknown type or version', () => {
    const registry = new IntegrationEventRegistry([registeredV1]);
    expect(registry.validate('user.registered', 3, {})._unsafeUnwrapErr()).toEqual({
      type: 'platform.unknown_event_type',
      message: 'no integration event user.registered@v3 is registered',
    });
    expect(registry.validate('user.gone', 1, {})._unsafeUnwrapErr().type).toBe('platform.unknown_event_type');
  });

  it('describes schema violations with the path of each issue', () => {
    const registry = new IntegrationEventRegistry([sessionScheduled]);
    const error = registry
      .validate('therapy_session.scheduled', 1, { sessionId: 7, at: { startsAt: 'soon' } })
      ._unsafeUnwrapErr();
    expect(error.type).toBe('platform.invalid_event');
    expect(error.message).toBe('therapy_session.scheduled@v1 data is invalid');
    const issues = 'issues' in error ? error.issues : [];
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatch(/^\/sessionId: /);
    expect(issues[1]).toMatch(/^\/at\/startsAt: /);
  });

  it('uses "/" as the path of an issue about the data itself', () => {
    const registry = new IntegrationEventRegistry([sessionScheduled]);
    const error = registry.validate('therapy_session.scheduled', 1, 'not an object')._unsafeUnwrapErr();
    expect('issues' in error ? error.issues : []).toEqual([expect.stringMatching(/^\/: /)]);
  });

  describe('parse', () => {
    const registry = new IntegrationEventRegistry([registeredV1, registeredV2]);

    it('returns the envelope with validated data', () => {
      const event: IntegrationEvent = registry.parse(envelope({ version: 2 }))._unsafeUnwrap();
      expect(event).toEqual({ ...envelope({ version: 2 }), data: { userId: 'u-1', email: 'ada@example.org', locale: 'en' } });
    });

    it('accepts an offset timestamp and full metadata', () => {
      const metadata = { correlationId: 'c', causationId: 'e-0', userId: 'u-9' };
      const event = registry.parse(envelope({ occurredAt: '2026-11-21T11:00:00+01:00', metadata }))._unsafeUnwrap();
      expect(event.metadata).toEqual(metadata);
    });

    it.each([
      ['eventId', { eventId: 'not-a-uuid' }],
      ['eventType', { eventType: 'UserRegistered' }],
      ['eventType', { eventType: 'user' }],
      ['occurredAt', { occurredAt: 'yesterday' }],
      ['sourceModule', { sourceModule: '' }],
      ['version', { version: 0 }],
      ['version', { version: 1.5 }],
      ['metadata/correlationId', { metadata: { correlationId: '', causationId: null, userId: null } }],
      ['metadata/userId', { metadata: { correlationId: 'c', causationId: null } }],
    ])('refuses an envelope with a bad %s', (path, overrides) => {
      const error = registry.parse(envelope(overrides))._unsafeUnwrapErr();
      expect(error.type).toBe('platform.invalid_event');
      expect(error.message).toBe('not an integration event envelope');
      expect('issues' in error ? error.issues : []).toEqual([expect.stringMatching(new RegExp(`^/${path}: `))]);
    });

    it('refuses something that is not an envelope at all', () => {
      for (const value of [null, 'event', 42, []]) {
        const error = registry.parse(value)._unsafeUnwrapErr();
        expect(error).toMatchObject({ type: 'platform.invalid_event', message: 'not an integration event envelope' });
      }
    });

    it('refuses a well-formed envelope of an unregistered type or version', () => {
      expect(registry.parse(envelope({ version: 9 }))._unsafeUnwrapErr().type).toBe('platform.unknown_event_type');
      expect(registry.parse(envelope({ eventType: 'user.deleted' }))._unsafeUnwrapErr().type).toBe('platform.unknown_event_type');
    });

    it('refuses data that breaks the schema, naming the field', () => {
      const error = registry.parse(envelope({ data: { userId: 'u-1', email: 'nope' } }))._unsafeUnwrapErr();
      expect(error).toMatchObject({ type: 'platform.invalid_event', message: 'user.registered@v1 data is invalid' });
      expect('issues' in error ? error.issues : []).toEqual([expect.stringMatching(/^\/email: /)]);
    });

    it('round-trips any valid event', () => {
      fc.assert(
        fc.property(
          fc.uuid(),
          fc.date({ min: new Date(0), max: new Date('2100-01-01'), noInvalidDate: true }),
          fc.string({ minLength: 1 }),
          fc.option(fc.string()),
          fc.option(fc.string()),
          fc.string(),
          (eventId, at, correlationId, causationId, userId, id) => {
            const input = envelope({
              eventId,
              occurredAt: at.toISOString(),
              data: { userId: id, email: 'x@example.org' },
              metadata: { correlationId, causationId, userId },
            });
            expect(registry.parse(input)._unsafeUnwrap()).toEqual(input);
          },
        ),
      );
    });
  });
});

describe('eventQueueName', () => {
  it('is the module name with an `.events` suffix', () => {
    expect(eventQueueName('notifications')).toBe('notifications.events');
    fc.assert(fc.property(fc.string(), (name) => eventQueueName(name) === `${name}.events`));
  });
});
