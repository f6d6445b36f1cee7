import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailArbitrary, emailSpellingArbitrary, invalidEmailArbitrary, rawEmailArbitrary } from '../testing/index.js';
import { parseEmail } from './email.js';

const refusal = (value: string, field?: string) => parseEmail(value, field)._unsafeUnwrapErr();

describe('parseEmail', () => {
  it('accepts every raw spelling and returns it trimmed and lower-cased', () => {
    fc.assert(
      fc.property(rawEmailArbitrary, (raw) => {
        const email = parseEmail(raw)._unsafeUnwrap();
        expect(email).toBe(raw.trim().toLowerCase());
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(rawEmailArbitrary, fc.string()), (raw) => {
        const once = parseEmail(raw);
        if (once.isOk()) expect(parseEmail(once.value)._unsafeUnwrap()).toBe(once.value);
      }),
    );
  });

  it('maps every case and whitespace variant of one address to the same email', () => {
    fc.assert(
      fc.property(
        emailArbitrary.chain((email) =>
          fc.tuple(fc.constant(email), emailSpellingArbitrary(email), emailSpellingArbitrary(email)),
        ),
        ([email, a, b]) => {
          expect(parseEmail(a)._unsafeUnwrap()).toBe(email);
          expect(parseEmail(b)._unsafeUnwrap()).toBe(email);
        },
      ),
    );
  });

  it('refuses every invalid address with users.invalid_email on the email field', () => {
    fc.assert(
      fc.property(invalidEmailArbitrary, (raw) => {
        const error = refusal(raw);
        expect(error.type).toBe('users.invalid_email');
        expect(error.details).toEqual({ field: 'email' });
      }),
    );
  });

  it('accepts the longest parts RFC 5321 allows', () => {
    const local64 = 'a'.repeat(64);
    expect(parseEmail(`${local64}@example.com`).isOk()).toBe(true);
    const label63 = 'b'.repeat(63);
    expect(parseEmail(`x@${label63}.com`).isOk()).toBe(true);
    const at254 = `${'c'.repeat(64)}@${['d'.repeat(63), 'e'.repeat(63), 'f'.repeat(57)].join('.')}.com`;
    expect(at254).toHaveLength(254);
    expect(parseEmail(at254)._unsafeUnwrap()).toBe(at254);
    expect(parseEmail('first.last+tag@mail.example.co.uk').isOk()).toBe(true);
    expect(parseEmail("o'brien!#$%&*/=?^_`{|}~-@xn--bcher-kva.xn--p1ai").isOk()).toBe(true);
    expect(parseEmail('  Ana.Souza@Example.COM \n')._unsafeUnwrap()).toBe('ana.souza@example.com');
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
    ['name.@example.com', 'the part before @ has characters an address cannot have'],
    ['na..me@example.com', 'the part before @ has characters an address cannot have'],
    ['na me@example.com', 'the part before @ has characters an address cannot have'],
    ['a@b@example.com', 'the part before @ has characters an address cannot have'],
    ['name@localhost', 'the part after @ must be a domain name like example.com'],
    ['name@example.123', 'the part after @ must be a domain name like example.com'],
    ['name@example.c', 'the part after @ must be a domain name like example.com'],
    ['name@-example.com', 'the part after @ must be a domain name like example.com'],
    ['name@example-.com', 'the part after @ must be a domain name like example.com'],
    ['name@exa_mple.com', 'the part after @ must be a domain name like example.com'],
    ['name@example..com', 'the part after @ must be a domain name like example.com'],
    ['name@.example.com', 'the part after @ must be a domain name like example.com'],
    ['name@example.com.', 'the part after @ must be a domain name like example.com'],
    [`name@${'a'.repeat(64)}.com`, 'the part after @ must be a domain name like example.com'],
    ['name@[127.0.0.1]', 'the part after @ must be a domain name like example.com'],
  ])('refuses %j: %s', (raw, message) => {
    expect(refusal(raw)).toEqual({ type: 'users.invalid_email', message, details: { field: 'email' } });
  });

  it('names the field it was given', () => {
    expect(refusal('nope', 'newEmail')).toEqual({
      type: 'users.invalid_email',
      message: 'must be an email address like name@example.com',
      details: { field: 'newEmail' },
    });
  });
});
