import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  channelArbitrary,
  deviceTokenArbitrary,
  e164PhoneNumberArbitrary,
  invalidDeviceTokenArbitrary,
  invalidPhoneNumberArbitrary,
  invalidRecipientArbitrary,
  phoneNumberSpellingArbitrary,
  rawPhoneNumberArbitrary,
  recipientArbitrary,
} from '../testing/index.js';
import { parseDeviceToken, parsePhoneNumber, parseRecipient } from './recipient.js';

const PHONE_MESSAGE = 'must be an international phone number in E.164 form, like +4915112345678';
const TOKEN_MESSAGE = 'must be a push device token (16 to 4096 printable ASCII characters)';

/** The rule, stated independently: drop what people type between digits, then a plus and 8–15 digits, the first not 0. */
function isE164AfterCleaning(value: string): boolean {
  const compact = [...value.trim()].filter((c) => !/\s/u.test(c) && !'.-()'.includes(c)).join('');
  const digits = compact.slice(1);
  return (
    compact.startsWith('+') &&
    digits.length >= 8 &&
    digits.length <= 15 &&
    [...digits].every((c) => c >= '0' && c <= '9') &&
    digits[0] !== '0'
  );
}

describe('parsePhoneNumber', () => {
  it('accepts E.164 numbers as they are', () => {
    fc.assert(
      fc.property(e164PhoneNumberArbitrary, (number) => {
        expect(parsePhoneNumber(number)._unsafeUnwrap()).toBe(number);
      }),
    );
  });

  it('drops spaces, dots, dashes and brackets people type', () => {
    fc.assert(
      fc.property(
        e164PhoneNumberArbitrary.chain((number) => fc.tuple(fc.constant(number), phoneNumberSpellingArbitrary(number))),
        ([number, spelled]) => {
          expect(parsePhoneNumber(spelled)._unsafeUnwrap()).toBe(number);
        },
      ),
    );
    expect(parsePhoneNumber(' +49 (151) 123-456.78 ')._unsafeUnwrap()).toBe('+4915112345678');
    expect(parsePhoneNumber('+1 (212) 555-0100')._unsafeUnwrap()).toBe('+12125550100');
  });

  it('refuses every invalid number on the recipient field, or the one it was given', () => {
    fc.assert(
      fc.property(invalidPhoneNumberArbitrary, (raw) => {
        expect(parsePhoneNumber(raw)._unsafeUnwrapErr()).toEqual({
          type: 'notifications.invalid_recipient',
          message: PHONE_MESSAGE,
          details: { field: 'recipient' },
        });
        expect(parsePhoneNumber(raw, 'phoneNumber')._unsafeUnwrapErr().details).toEqual({ field: 'phoneNumber' });
      }),
    );
  });

  it('accepts exactly E.164 after cleaning, for any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          rawPhoneNumberArbitrary,
          invalidPhoneNumberArbitrary,
          fc.string({ unit: fc.constantFrom(...'+0123456789 .-()/x'), maxLength: 22 }),
          fc.string(),
        ),
        (raw) => {
          expect(parsePhoneNumber(raw).isOk()).toBe(isE164AfterCleaning(raw));
        },
      ),
    );
  });

  it('draws the line at 8 and 15 digits and a leading 1–9', () => {
    expect(parsePhoneNumber('+1234567').isErr()).toBe(true); // 7 digits
    expect(parsePhoneNumber('+12345678').isOk()).toBe(true); // 8
    expect(parsePhoneNumber('+123456789012345').isOk()).toBe(true); // 15
    expect(parsePhoneNumber('+1234567890123456').isErr()).toBe(true); // 16
    expect(parsePhoneNumber('+01234567890').isErr()).toBe(true);
    expect(parsePhoneNumber('004915112345678').isErr()).toBe(true);
    expect(parsePhoneNumber('015112345678').isErr()).toBe(true);
  });
});

describe('parseDeviceToken', () => {
  it('accepts 16 to 4096 printable ASCII characters, trimmed', () => {
    fc.assert(
      fc.property(deviceTokenArbitrary, fc.constantFrom('', ' ', '\n', ' \t'), (token, space) => {
        expect(parseDeviceToken(`${space}${token}${space}`)._unsafeUnwrap()).toBe(token);
      }),
    );
    expect(parseDeviceToken('a'.repeat(16)).isOk()).toBe(true);
    expect(parseDeviceToken('a'.repeat(4096)).isOk()).toBe(true);
    expect(parseDeviceToken('!~'.repeat(8)).isOk()).toBe(true);
  });

  it('refuses anything else on the recipient field, or the one it was given', () => {
    fc.assert(
      fc.property(invalidDeviceTokenArbitrary, (raw) => {
        expect(parseDeviceToken(raw)._unsafeUnwrapErr()).toEqual({
          type: 'notifications.invalid_recipient',
          message: TOKEN_MESSAGE,
          details: { field: 'recipient' },
        });
        expect(parseDeviceToken(raw, 'pushToken')._unsafeUnwrapErr().details).toEqual({ field: 'pushToken' });
      }),
    );
    expect(parseDeviceToken('a'.repeat(15)).isErr()).toBe(true);
    expect(parseDeviceToken('a'.repeat(4097)).isErr()).toBe(true);
    expect(parseDeviceToken('abcdefgh ijklmnop').isErr()).toBe(true);
  });
});

describe('parseRecipient', () => {
  it('accepts what the channel needs, normalised', () => {
    fc.assert(
      fc.property(
        channelArbitrary.chain((channel) => fc.tuple(fc.constant(channel), recipientArbitrary(channel))),
        ([channel, raw]) => {
          const expected =
            channel === 'email' ? raw.trim().toLowerCase() : channel === 'sms' ? raw.trim().replace(/[\s.()-]/g, '') : raw.trim();
          expect(parseRecipient(channel, raw)._unsafeUnwrap()).toBe(expected);
        },
      ),
    );
  });

  it('refuses what the channel cannot use, with notifications.invalid_recipient on the field', () => {
    fc.assert(
      fc.property(
        channelArbitrary.chain((channel) => fc.tuple(fc.constant(channel), invalidRecipientArbitrary(channel))),
        fc.constantFrom(undefined, 'to'),
        ([channel, raw], field) => {
          const error = parseRecipient(channel, raw, field)._unsafeUnwrapErr();
          expect(error.type).toBe('notifications.invalid_recipient');
          expect(error.details).toEqual({ field: field ?? 'recipient' });
        },
      ),
    );
    expect(parseRecipient('email', 'Ana@Example.com ')._unsafeUnwrap()).toBe('ana@example.com');
    expect(parseRecipient('email', 'ana souza@example.com')._unsafeUnwrapErr()).toEqual({
      type: 'notifications.invalid_recipient',
      message: 'the part before @ has characters an address cannot have',
      details: { field: 'recipient' },
    });
    expect(parseRecipient('sms', 'ana@example.com')._unsafeUnwrapErr().message).toBe(PHONE_MESSAGE);
    expect(parseRecipient('push', '+4915112345678')._unsafeUnwrapErr().message).toBe(TOKEN_MESSAGE);
  });
});
