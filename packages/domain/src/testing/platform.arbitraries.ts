import fc from 'fast-check';
import type { DomainError } from '../platform/domain-error.js';
import type { DomainEvent } from '../platform/domain-event.js';
import type { Uuid } from '../platform/uuid.js';

const hex = (digits: number) =>
  fc.bigInt({ min: 0n, max: (1n << BigInt(digits * 4)) - 1n }).map((n) => n.toString(16).padStart(digits, '0'));

/** RFC 9562 UUIDv7 values whose timestamp lies in [min, max] (ms since epoch). */
export function uuidV7Arbitrary(range: { min?: number; max?: number } = {}): fc.Arbitrary<Uuid> {
  const min = range.min ?? 0;
  const max = range.max ?? 2 ** 48 - 1;
  return fc
    .tuple(fc.integer({ min, max }), hex(3), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
    .map(([ms, randA, variant, randB, randC]) => {
      const ts = ms.toString(16).padStart(12, '0');
      return `${ts.slice(0, 8)}-${ts.slice(8)}-7${randA}-${variant}${randB}-${randC}` as Uuid;
    });
}

/** Error `type`s shaped like Aura's: `<module>.<snake_case_reason>`. */
export const domainErrorTypeArbitrary: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('users', 'therapy', 'billing', 'notifications', 'platform'), fc.stringMatching(/^[a-z]+(_[a-z]+){0,3}$/))
  .map(([module, reason]) => `${module}.${reason}`);

export const domainErrorArbitrary: fc.Arbitrary<DomainError> = fc.record({
  type: domainErrorTypeArbitrary,
  message: fc.string({ minLength: 1, maxLength: 80 }),
});

/** Dates Postgres and JSON both represent exactly (millisecond precision, years 1970-2200). */
export const instantArbitrary: fc.Arbitrary<Date> = fc.date({
  min: new Date('1970-01-01T00:00:00.000Z'),
  max: new Date('2200-01-01T00:00:00.000Z'),
  noInvalidDate: true,
});

/** Events with JSON-safe data, as they travel through the outbox. */
export function domainEventArbitrary<TType extends string>(
  type: fc.Arbitrary<TType>,
): fc.Arbitrary<DomainEvent<TType, Record<string, string | number | boolean | null>>> {
  return fc.record({
    type,
    version: fc.integer({ min: 1, max: 5 }),
    aggregateId: uuidV7Arbitrary(),
    occurredAt: instantArbitrary,
    data: fc.dictionary(
      fc.stringMatching(/^[a-z][a-zA-Z]{0,11}$/),
      fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
      { maxKeys: 5 },
    ),
  });
}
