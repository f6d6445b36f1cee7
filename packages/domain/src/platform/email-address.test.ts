import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailArbitrary, emailSpellingArbitrary, invalidEmailArbitrary, rawEmailArbitrary } from '../testing/index.js';
import { normaliseEmailAddress } from './email-address.js';

describe('normaliseEmailAddress', () => {
  it('accepts every raw spelling and returns it trimmed and lower-cased', () => {
    fc.assert(
      fc.property(rawEmailArbitrary, (raw) => {
        expect(normaliseEmailAddress(raw)._unsafeUnwrap()).toBe(raw.trim().toLowerCase());
      }),
    );
  });

  it('returns trimmed lower case whenever it accepts, and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(rawEmailArbitrary, fc.string()), (raw) => {
        const once = normaliseEmailAddress(raw);
        if (once.isErr()) return;
        expect(once.value).toBe(once.value.trim());
        expect(once.value).toBe(once.value.toLowerCase());
        expect(normaliseEmailAddress(once.value)._unsafeUnwrap()).toBe(once.value);
      }),
    );
  });

  it('maps every case and whitespace variant of one address to the same address', () => {
    fc.assert(
      fc.property(
        emailArbitrary.chain((email) => fc.tuple(fc.constant(email), emailSpellingArbitrary(email))),
        ([email, spelled]) => {
          expect(normaliseEmailAddress(spelled)._unsafeUnwrap()).toBe(email);
        },
      ),
    );
  });

  it('refuses every invalid address, saying why in words', () => {
    fc.assert(
      fc.property(invalidEmailArbitrary, (raw) => {
        expect(normaliseEmailAddress(raw)._unsafeUnwrapErr()).toMatch(/^(must|the part)/);
      }),
    );
  });

  it('accepts the longest parts RFC 5321 allows', () => {
    expect(normaliseEmailAddress(`${'a'.repeat(64)}@example.com`).isOk()).toBe(true);
    expect(normaliseEmailAddress(`x@${'b'.repeat(63)}.com`).isOk()).toBe(true);
    const at254 = `${'c'.repeat(64)}@${['d'.repeat(63), 'e'.repeat(63), 'f'.repeat(57)].join('.')}.com`;
    expect(at254).toHaveLength(254);
    expect(normaliseEmailAddress(at254)._unsafeUnwrap()).toBe(at254);
    expect(normaliseEmailAddress("o'brien!#$%&*/=?^_`{|}~-@xn--bcher-kva.xn--p1ai").isOk()).toBe(true);
    expect(normaliseEmailAddress('  Ana.Souza@Example.COM \n')._unsafeUnwrap()).toBe('ana.souza@example.com');
  });

  it.each([
    ['', 'must be an email address'],
    ['   ', 'must be an email address'],
    [`${'a'.repeat(64)}@${'b'.repeat(186)}.com`, 'must be at most 254 characters'],
    ['no-at-sign.example.com', 'must be an email address like name@example.com'],
    ['@example.com', 'must be an email address like name@example.com'],
    ['name@', 'must be an email address like name@example.com'],
    [`${'a'.repeat(65)}@example.com`, 'the part before @ must be at most 64 characters'],
    ['.name@example.com', 'the part before @ has characters an address cannot have'],
    ['na..me@example.com', 'the part before @ has characters an address cannot have'],
    ['na me@example.com', 'the part before @ has characters an address cannot have'],
    ['a@b@example.com', 'the part before @ has characters an address cannot have'],
    ['name@localhost', 'the part after @ must be a domain name like example.com'],
    ['name@example.123', 'the part after @ must be a domain name like example.com'],
    ['name@example.c', 'the part after @ must be a domain name like example.com'],
    ['name@-example.com', 'the part after @ must be a domain name like example.com'],
    ['name@example..com', 'the part after @ must be a domain name like example.com'],
    [`name@${'a'.repeat(64)}.com`, 'the part after @ must be a domain name like example.com'],
    ['name@[127.0.0.1]', 'the part after @ must be a domain name like example.com'],
  ])('refuses %j: %s', (raw, why) => {
    expect(normaliseEmailAddress(raw)._unsafeUnwrapErr()).toBe(why);
  });
});
