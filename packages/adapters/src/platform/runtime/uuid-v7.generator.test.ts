import { parseUuid, type Uuid, uuidV7Timestamp, uuidVersion } from '@aura/domain';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UuidV7Generator } from './uuid-v7.generator.js';

const MAX_MS = 2 ** 48 - 1;
const SEQUENCE_SIZE = 4096;

/** A clock that returns the given readings in turn (the last one forever). */
const replay = (readings: readonly number[]) => {
  let index = 0;
  return () => readings[Math.min(index++, readings.length - 1)] ?? 0;
};

function expectValidV7(id: Uuid): number {
  expect(parseUuid(id)._unsafeUnwrap()).toBe(id);
  expect(uuidVersion(id)).toBe(7);
  const timestamp = uuidV7Timestamp(id);
  expect(timestamp).toBeTypeOf('number');
  return timestamp ?? -1;
}

function expectStrictlyIncreasing(ids: readonly string[]): void {
  for (let i = 1; i < ids.length; i++) expect((ids[i - 1] ?? '') < (ids[i] ?? '')).toBe(true);
}

describe('UuidV7Generator', () => {
  it('encodes the injected clock as the timestamp of a valid UUIDv7', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_MS - 1 }), (ms) => {
        const id = new UuidV7Generator(() => ms).next();
        expect(expectValidV7(id)).toBe(ms);
      }),
    );
  });

  it('uses the clock exactly while it moves forward', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 50 }),
        fc.nat(2 ** 40),
        (steps, start) => {
          const readings: number[] = [];
          for (const step of steps) readings.push((readings.at(-1) ?? start) + step);
          const ids = new UuidV7Generator(replay(readings));
          const timestamps = readings.map(() => expectValidV7(ids.next()));
          expect(timestamps).toEqual(readings);
        },
      ),
    );
  });

  it('generates strictly increasing ids whatever the clock does, never going back in time', () => {
    const clockReadings = fc.array(
      fc.oneof(fc.integer({ min: 0, max: 2 ** 41 }), fc.constant(1_700_000_000_000), fc.constant(0)),
      { minLength: 1, maxLength: 200 },
    );
    fc.assert(
      fc.property(clockReadings, (readings) => {
        const ids = new UuidV7Generator(replay(readings));
        const generated = readings.map(() => ids.next());
        expectStrictlyIncreasing(generated);
        let highest = -1;
        generated.forEach((id, i) => {
          const timestamp = expectValidV7(id);
          highest = Math.max(highest, readings[i] ?? 0);
          // Never behind the latest reading seen, never ahead of it but by borrowed milliseconds.
          expect(timestamp).toBeGreaterThanOrEqual(highest);
          expect(timestamp).toBeLessThanOrEqual(highest + Math.floor(i / SEQUENCE_SIZE));
        });
      }),
    );
  });

  it('orders more than 4096 ids of one frozen millisecond by borrowing the next millisecond', () => {
    const frozen = 1_763_700_000_000;
    const ids = new UuidV7Generator(() => frozen);
    const generated = Array.from({ length: 2 * SEQUENCE_SIZE + 10 }, () => ids.next());
    expectStrictlyIncreasing(generated);
    const timestamps = generated.map(expectValidV7);
    expect(timestamps.slice(0, SEQUENCE_SIZE).every((t) => t === frozen)).toBe(true);
    expect(timestamps.slice(SEQUENCE_SIZE, 2 * SEQUENCE_SIZE).every((t) => t === frozen + 1)).toBe(true);
    expect(timestamps.slice(2 * SEQUENCE_SIZE).every((t) => t === frozen + 2)).toBe(true);
  });

  it('keeps increasing when the clock steps back, staying at the latest millisecond', () => {
    const readings = [5_000, 5_001, 4_000, 3_000, 5_001, 5_002];
    const ids = new UuidV7Generator(replay(readings));
    const generated = readings.map(() => ids.next());
    expectStrictlyIncreasing(generated);
    expect(generated.map((id) => uuidV7Timestamp(id))).toEqual([5_000, 5_001, 5_001, 5_001, 5_001, 5_002]);
  });

  it('reads the system clock by default', () => {
    const before = Date.now();
    const id = new UuidV7Generator().next();
    const after = Date.now();
    const timestamp = expectValidV7(id);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
  });

  it('fills the rest with random bits: two generators on one clock do not collide', () => {
    const a = new UuidV7Generator(() => 42);
    const b = new UuidV7Generator(() => 42);
    const ids = new Set(Array.from({ length: 100 }, () => [a.next(), b.next()]).flat());
    expect(ids.size).toBe(200);
  });
});
