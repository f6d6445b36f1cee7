import { parsePhoneNumber, parseQuietHours } from '@aura/domain/notifications';
import { normaliseEmailAddress } from '@aura/domain/platform';
import { emailArbitrary, emailSpellingArbitrary, invalidEmailArbitrary } from '@aura/domain/testing';
import { parseDisplayName, parseLocale } from '@aura/domain/users';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clockTime,
  codePoints,
  displayText,
  EMAIL_PATTERN,
  emailAddress,
  languageTag,
  newPassword,
  nonBlankText,
  phoneNumberAsTyped,
  text,
} from './schemas.js';

/** Strings that stress the rules: any Unicode, whitespace, controls, format characters, joiners. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc
    .array(
      fc.constantFrom(
        ' ',
        '\t',
        '\n',
        '\u00a0',
        '\u200b',
        '\u200c',
        '\u200d',
        '\u00ad',
        '\u202e',
        '\ufeff',
        'a',
        'Zoë',
        '😀',
        '\u0000',
      ),
      {
        maxLength: 30,
      },
    )
    .map((parts) => parts.join('')),
);

describe('request schemas agree with the domain rules they front', () => {
  it('an email address the schema accepts is one the domain accepts, and the domain’s own spellings pass the schema', () => {
    const schema = emailAddress();
    fc.assert(
      fc.property(fc.oneof(emailArbitrary, invalidEmailArbitrary, nasty), (raw) => {
        if (schema.safeParse(raw).success) expect(normaliseEmailAddress(raw).isOk()).toBe(true);
      }),
    );
    fc.assert(
      fc.property(emailArbitrary.chain(emailSpellingArbitrary), (spelled) => {
        // The domain trims any whitespace; the schema allows surrounding spaces only.
        if (/^ *[^\s]+ *$/.test(spelled)) expect(EMAIL_PATTERN.test(spelled)).toBe(true);
      }),
    );
    for (const good of ['ada@example.com', '  Ana.Souza@Example.COM ', "o'brien!#$%&*/=?^_`{|}~-@xn--bcher-kva.xn--p1ai"])
      expect(schema.safeParse(good).success).toBe(true);
    for (const bad of ['', 'name@localhost', 'a@b@example.com', `${'a'.repeat(65)}@example.com`, 'tab\t@example.com'])
      expect(schema.safeParse(bad).success).toBe(false);
  });

  it('a display name the schema accepts is one the domain accepts (within the Basic Multilingual Plane)', () => {
    const schema = displayText(100);
    fc.assert(
      fc.property(nasty, (raw) => {
        const bmp = [...raw].every((c) => (c.codePointAt(0) ?? 0) <= 0xffff);
        if (bmp && schema.safeParse(raw).success) expect(parseDisplayName(raw).isOk()).toBe(true);
      }),
    );
    expect(schema.safeParse('Zoë Åström 😀').success).toBe(true);
    expect(schema.safeParse('نرگس\u200cزاده').success).toBe(true);
    for (const bad of ['', '   ', '\u200c', 'line\nbreak', 'bidi\u202eoverride', 'a'.repeat(101)])
      expect(schema.safeParse(bad).success).toBe(false);
  });

  it('a phone number the schema accepts is exactly one the domain accepts', () => {
    const schema = phoneNumberAsTyped();
    const typed = fc
      .tuple(fc.constantFrom('', ' ', '('), fc.stringMatching(/^\+[0-9]{1,16}$/), fc.constantFrom('', ' ', '-', '.'))
      .map(([a, b, c]) => `${a}${b}${c}`);
    fc.assert(
      fc.property(fc.oneof(typed, nasty), (raw) => {
        if (codePoints(raw) < 9 || codePoints(raw) > 32) return;
        expect(schema.safeParse(raw).success).toBe(parsePhoneNumber(raw).isOk());
      }),
    );
    expect(schema.safeParse('+49 (151) 1234-5678').success).toBe(true);
  });

  it('a clock time the schema accepts is exactly one quiet hours accept', () => {
    const schema = clockTime();
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^\d\d:\d\d$/), nasty), (raw) => {
        expect(schema.safeParse(raw).success).toBe(
          parseQuietHours({ start: raw, end: raw === '00:00' ? '00:01' : '00:00' }).isOk(),
        );
      }),
    );
  });

  it('a language tag the schema refuses is one the domain refuses', () => {
    const schema = languageTag();
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8}){0,3}$/), nasty), (raw) => {
        if (!schema.safeParse(raw).success && raw === raw.trim()) expect(parseLocale(raw).isOk()).toBe(false);
      }),
    );
  });
});

describe('text', () => {
  it('counts code points, as JSON Schema does, and refuses NUL and lone surrogates', () => {
    const schema = text({ min: 2, max: 3 });
    expect(schema.safeParse('😀😀😀').success).toBe(true);
    expect(schema.safeParse('😀😀😀😀').success).toBe(false);
    expect(schema.safeParse('😀').success).toBe(false);
    expect(schema.safeParse('a\u0000').success).toBe(false);
    expect(schema.safeParse('a\ud800').success).toBe(false);
    expect(text({ max: 5 }).safeParse('').success).toBe(true);
    expect(text({ min: 1, max: 1 }).safeParse('ab').error?.issues[0]?.message).toBe('must be 1 characters');
    expect(text({ max: 1 }).safeParse('ab').error?.issues[0]?.message).toBe('must be at most 1 characters');
  });

  it('non-blank text and passwords', () => {
    expect(nonBlankText(5).safeParse(' \t ').success).toBe(false);
    expect(nonBlankText(5).safeParse(' x ').success).toBe(true);
    expect(newPassword().safeParse('😀'.repeat(128)).success).toBe(true);
    expect(newPassword().safeParse('short').success).toBe(false);
  });
});
