import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { displayNameArbitrary, LOCALE_TAGS, localeArbitrary, TIME_ZONE_NAMES, timeZoneArbitrary } from '../testing/index.js';
import { DISPLAY_NAME_MAX, isWellFormedText, parseDisplayName, parseLocale, parseTimeZone } from './profile.js';

/** The same text with each letter's case flipped at random. */
const anyCase = (text: string) =>
  fc
    .array(fc.boolean(), { minLength: text.length, maxLength: text.length })
    .map((upper) => [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const spaces = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u3000'), maxLength: 3 });

describe('parseDisplayName', () => {
  it('trims, collapses inner whitespace to one space and keeps everything else', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (raw) => {
        const parsed = parseDisplayName(raw);
        if (parsed.isErr()) return;
        expect(parsed.value).toBe(raw.trim().replace(/\s+/gu, ' '));
        expect(parsed.value).not.toMatch(/^\s|\s$|\s\s|[^\S ]/u);
        expect([...parsed.value].length).toBeGreaterThanOrEqual(1);
        expect([...parsed.value].length).toBeLessThanOrEqual(DISPLAY_NAME_MAX);
      }),
    );
    expect(parseDisplayName('  Ana \t\n  Souza  ')._unsafeUnwrap()).toBe('Ana Souza');
    expect(parseDisplayName('Zoë\u00a0\u3000O’Brien')._unsafeUnwrap()).toBe('Zoë O’Brien');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(displayNameArbitrary, fc.string({ unit: 'binary', maxLength: 120 })), (raw) => {
        const once = parseDisplayName(raw);
        if (once.isOk()) expect(parseDisplayName(once.value)._unsafeUnwrap()).toBe(once.value);
      }),
    );
  });

  it('accepts surrounding whitespace around any valid name', () => {
    fc.assert(
      fc.property(displayNameArbitrary, spaces, spaces, (name, before, after) => {
        expect(parseDisplayName(`${before}${name}${after}`)._unsafeUnwrap()).toBe(name);
      }),
    );
  });

  it('refuses a name with a control or formatting character anywhere', () => {
    fc.assert(
      fc.property(
        displayNameArbitrary,
        fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f', '\u00ad', '\u200b', '\u202e', '\u2066'),
        fc.nat(),
        (name, bad, at) => {
          const chars = [...name];
          const i = at % (chars.length + 1);
          const raw = [...chars.slice(0, i), bad, ...chars.slice(i)].join('');
          fc.pre([...raw].length <= DISPLAY_NAME_MAX);
          expect(parseDisplayName(raw)._unsafeUnwrapErr()).toEqual({
            type: 'users.invalid_display_name',
            message: 'must not contain control or formatting characters',
            details: { field: 'displayName' },
          });
        },
      ),
    );
  });

  it('counts length in code points: 100 fit, 101 do not', () => {
    expect(parseDisplayName('😀'.repeat(DISPLAY_NAME_MAX))._unsafeUnwrap()).toHaveLength(2 * DISPLAY_NAME_MAX);
    expect(parseDisplayName('a'.repeat(DISPLAY_NAME_MAX)).isOk()).toBe(true);
    for (const raw of ['a'.repeat(DISPLAY_NAME_MAX + 1), '😀'.repeat(DISPLAY_NAME_MAX + 1)]) {
      expect(parseDisplayName(raw)._unsafeUnwrapErr()).toEqual({
        type: 'users.invalid_display_name',
        message: 'must be at most 100 characters',
        details: { field: 'displayName' },
      });
    }
    // Collapsing happens first, so spaces that collapse away do not count.
    expect(parseDisplayName(`${'a'.repeat(50)}          ${'b'.repeat(49)}`).isOk()).toBe(true);
  });

  it('refuses an empty name, naming the field given', () => {
    for (const raw of ['', '   ', '\t\n\u00a0']) {
      expect(parseDisplayName(raw, 'name')._unsafeUnwrapErr()).toEqual({
        type: 'users.invalid_display_name',
        message: 'must not be empty',
        details: { field: 'name' },
      });
    }
  });
});

describe('parseTimeZone', () => {
  it('accepts every listed IANA name in any case, with surrounding spaces, as the same zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TIME_ZONE_NAMES).chain((name) => fc.tuple(fc.constant(name), anyCase(name), spaces, spaces)),
        ([name, cased, before, after]) => {
          const parsed = parseTimeZone(`${before}${cased}${after}`)._unsafeUnwrap();
          expect(parsed.toLowerCase()).toBe(name.toLowerCase());
          const zone = (tz: string) => new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
          expect(zone(parsed)).toBe(zone(name));
        },
      ),
    );
  });

  it('keeps the spelling asked for: a link is not replaced by the zone it points to', () => {
    expect(parseTimeZone('Asia/Kolkata')._unsafeUnwrap()).toBe('Asia/Kolkata');
    expect(parseTimeZone('Asia/Calcutta')._unsafeUnwrap()).toBe('Asia/Calcutta');
    expect(parseTimeZone('America/Argentina/Buenos_Aires')._unsafeUnwrap()).toBe('America/Argentina/Buenos_Aires');
  });

  it('accepts joiners, which Persian and Indic names and emoji need', () => {
    expect(parseDisplayName('Mohammad\u200cReza')._unsafeUnwrap()).toBe('Mohammad\u200cReza');
    expect(parseDisplayName('Dr 👩\u200d⚕️')._unsafeUnwrap()).toBe('Dr 👩\u200d⚕️');
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(timeZoneArbitrary, fc.string({ maxLength: 70 }), fc.stringMatching(/^[A-Za-z]+\/[A-Za-z_]+$/)),
        (raw) => {
          const once = parseTimeZone(raw);
          if (once.isOk()) expect(parseTimeZone(once.value)._unsafeUnwrap()).toBe(once.value);
        },
      ),
    );
  });

  it('returns the canonical spelling', () => {
    expect(parseTimeZone('europe/paris')._unsafeUnwrap()).toBe('Europe/Paris');
    expect(parseTimeZone('AMERICA/SAO_PAULO')._unsafeUnwrap()).toBe('America/Sao_Paulo');
    expect(parseTimeZone('pacific/chatham')._unsafeUnwrap()).toBe('Pacific/Chatham');
    expect(parseTimeZone(' utc ')._unsafeUnwrap()).toBe('UTC');
    expect(parseTimeZone('Etc/GMT+1')._unsafeUnwrap()).toBe('Etc/GMT+1');
    // A name the runtime neither resolves to nor lists keeps the case it was given.
    expect(parseTimeZone('asia/kolkata')._unsafeUnwrap().toLowerCase()).toBe('asia/kolkata');
  });

  it.each([
    ['an offset', '+01:00'],
    ['an offset with a prefix', 'UTC+01:00'],
    ['words', 'not a zone'],
    ['nothing', ''],
    ['a zone that does not exist, though shaped like one', 'Mars/Olympus'],
    ['another made-up zone', 'Foo/Bar'],
    ['a made-up single word', 'Zz'],
    ['a name over 64 characters', `Europe/${'A'.repeat(58)}`],
  ])('refuses %s (%j)', (_, raw) => {
    expect(parseTimeZone(raw)._unsafeUnwrapErr()).toEqual({
      type: 'users.invalid_time_zone',
      message: 'must be an IANA time zone name such as Europe/Paris or UTC',
      details: { field: 'timeZone' },
    });
  });

  it('names the field it was given', () => {
    expect(parseTimeZone('nowhere/at all', 'tz')._unsafeUnwrapErr().details).toEqual({ field: 'tz' });
  });
});

describe('parseLocale', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('returns the canonical BCP 47 form, whatever the case', () => {
    expect(parseLocale('pt-br')._unsafeUnwrap()).toBe('pt-BR');
    expect(parseLocale('EN-us')._unsafeUnwrap()).toBe('en-US');
    expect(parseLocale('zh-hant-tw')._unsafeUnwrap()).toBe('zh-Hant-TW');
    expect(parseLocale(' fr ')._unsafeUnwrap()).toBe('fr');
    expect(parseLocale('es-419')._unsafeUnwrap()).toBe('es-419');
    fc.assert(
      fc.property(
        fc.constantFrom(...LOCALE_TAGS).chain((tag) => fc.tuple(fc.constant(tag), anyCase(tag), spaces, spaces)),
        ([tag, cased, before, after]) => {
          expect(parseLocale(`${before}${cased}${after}`)._unsafeUnwrap()).toBe(tag);
        },
      ),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(
        fc.oneof(localeArbitrary, fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,4}$/)),
        (raw) => {
          const once = parseLocale(raw);
          if (once.isOk()) expect(parseLocale(once.value)._unsafeUnwrap()).toBe(once.value);
        },
      ),
    );
  });

  it.each([
    ['nothing', ''],
    ['one letter', 'x'],
    ['an underscore (POSIX style)', 'en_US'],
    ['digits', '123'],
    ['a tag over 35 characters', 'en-x-aaaaaaaa-bbbbbbbb-cccccccc-dddddddd'],
    ['a repeated region, which Intl rejects', 'en-US-US'],
    ['a singleton without its subtags, which Intl rejects', 'en-u'],
  ])('refuses %s (%j)', (_, raw) => {
    expect(parseLocale(raw)._unsafeUnwrapErr()).toEqual({
      type: 'users.invalid_locale',
      message: 'must be a BCP 47 language tag such as en or pt-BR',
      details: { field: 'locale' },
    });
  });

  it('names the field it was given', () => {
    expect(parseLocale('??', 'language')._unsafeUnwrapErr().details).toEqual({ field: 'language' });
  });

  it('refuses a tag Intl canonicalises to nothing', () => {
    // Intl.getCanonicalLocales returns one tag for one tag or throws; this guards the type-level possibility.
    vi.spyOn(Intl, 'getCanonicalLocales').mockReturnValueOnce([]);
    expect(parseLocale('en')._unsafeUnwrapErr().type).toBe('users.invalid_locale');
  });
});

describe('isWellFormedText', () => {
  it('accepts text with paired surrogates and refuses lone halves and NUL', () => {
    expect(isWellFormedText('Ana 👩‍⚕️ Souza')).toBe(true);
    for (const bad of ['\ud800', 'a\udc00b', 'x\ud83d', '\u0000']) expect(isWellFormedText(bad), JSON.stringify(bad)).toBe(false);
  });

  it('makes display names with a lone surrogate, or nothing but joiners, invalid', () => {
    expect(parseDisplayName('Bad \ud800 name')._unsafeUnwrapErr().type).toBe('users.invalid_display_name');
    expect(parseDisplayName('\u200d\u200c')._unsafeUnwrapErr()).toMatchObject({ message: 'must not be empty' });
  });
});
