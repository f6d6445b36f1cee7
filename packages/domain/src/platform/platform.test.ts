import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { domainErrorArbitrary, domainEventArbitrary, uuidV7Arbitrary } from '../testing/index.js';
import { AggregateRoot } from './aggregate-root.js';
import { domainError, isDomainError } from './domain-error.js';
import type { DomainEvent } from './domain-event.js';
import { checkRules } from './rule.js';
import { parseUuid, type Uuid, uuidV7Timestamp, uuidVersion } from './uuid.js';

class Counter extends AggregateRoot<string, DomainEvent<'counter.incremented', { by: number }>> {
  static create(id: string) {
    return new Counter(id);
  }
  increment(by: number, at: Date) {
    this.record({ type: 'counter.incremented', version: 1, aggregateId: this.id, occurredAt: at, data: { by } });
  }
}

describe('domainError', () => {
  it('omits details when none are given and keeps them otherwise', () => {
    expect(domainError('x.y', 'm')).toEqual({ type: 'x.y', message: 'm' });
    expect(domainError('x.y', 'm', { a: 1 })).toEqual({ type: 'x.y', message: 'm', details: { a: 1 } });
  });

  it('recognises any value with a string type and message', () => {
    fc.assert(fc.property(domainErrorArbitrary, (e) => isDomainError(e)));
    for (const value of [null, undefined, 1, 'x', {}, { type: 1, message: 'm' }, { type: 't' }]) {
      expect(isDomainError(value)).toBe(false);
    }
  });
});

describe('AggregateRoot', () => {
  it('hands over recorded events once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 20 }), (steps) => {
        const counter = Counter.create('c-1');
        const at = new Date(0);
        for (const by of steps) counter.increment(by, at);
        expect(counter.pendingEvents.map((e) => e.data.by)).toEqual(steps);
        expect(counter.pullEvents().map((e) => e.data.by)).toEqual(steps);
        expect(counter.pullEvents()).toEqual([]);
        expect(counter.pendingEvents).toEqual([]);
      }),
    );
  });

  it('does not let callers mutate the pending events', () => {
    const counter = Counter.create('c-2');
    counter.increment(1, new Date(0));
    (counter.pendingEvents as DomainEvent[]).length = 0;
    expect(counter.pendingEvents).toHaveLength(1);
  });
});

describe('Uuid', () => {
  it('accepts every UUIDv7 in any case and round-trips its timestamp', () => {
    fc.assert(
      fc.property(uuidV7Arbitrary(), fc.boolean(), (id, upper) => {
        const parsed = parseUuid(upper ? ` ${id.toUpperCase()} ` : id)._unsafeUnwrap();
        expect(parsed).toBe(id);
        expect(uuidVersion(parsed)).toBe(7);
        expect(uuidV7Timestamp(parsed)).toBe(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16));
      }),
    );
  });

  it('rejects what is not a UUID, naming the value', () => {
    for (const bad of ['', 'nope', '0190aaaa-bbbb-0ccc-8ddd-eeeeeeeeeeee', '0190aaaa-bbbb-7ccc-cddd-eeeeeeeeeeee']) {
      expect(parseUuid(bad)._unsafeUnwrapErr()).toEqual({
        type: 'platform.invalid_uuid',
        message: 'must be a UUID',
        details: { value: bad },
      });
    }
  });

  it('has no timestamp for other versions', () => {
    const v4 = parseUuid('3f1c2b4e-9a7d-4c1e-8b2a-5d6e7f809a1b')._unsafeUnwrap() as Uuid;
    expect(uuidVersion(v4)).toBe(4);
    expect(uuidV7Timestamp(v4)).toBeUndefined();
  });
});

describe('checkRules', () => {
  const rule = (name: string, broken: boolean) => ({ name, isBroken: () => broken, error: domainError(`t.${name}`, name) });

  it('passes when no rule is broken and returns the first broken one otherwise', () => {
    expect(checkRules(rule('a', false), rule('b', false)).isOk()).toBe(true);
    expect(checkRules(rule('a', false), rule('b', true), rule('c', true))._unsafeUnwrapErr().type).toBe('t.b');
  });
});

describe('arbitraries', () => {
  it('produce events with JSON-safe data that survive a round trip', () => {
    fc.assert(
      fc.property(domainEventArbitrary(fc.constant('x.happened')), (event) => {
        const copy = JSON.parse(JSON.stringify(event.data));
        expect(copy).toEqual(event.data);
        expect(uuidVersion(event.aggregateId as Uuid)).toBe(7);
      }),
    );
  });
});
