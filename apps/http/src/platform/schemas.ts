/**
 * Request-schema building blocks whose published JSON Schema says exactly what the server
 * enforces. The rule of the HTTP layer: a request that breaks its OpenAPI schema is a 400
 * (`validation_failed`, every failing field listed), and a request that satisfies it is never a
 * 400: a business rule it breaks is a 409, 422 or 404. So every check made here must be one
 * JSON Schema can state (lengths, patterns, enums, required, additional properties), and a
 * cross-field rule checked in code declares its JSON Schema equivalent next to it.
 */
import { isWellFormedText } from '@aura/domain/platform';
import { z } from 'zod';

/** Length as JSON Schema counts it: code points (a string's `length` counts UTF-16 units). */
export const codePoints = (value: string) => {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
};

/** No NUL anywhere (PostgreSQL cannot store it): the pattern of free text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing NUL is the point
export const NO_NUL = /^[^\u0000]*$/;

export interface TextOptions {
  readonly min?: number;
  readonly max: number;
  /** Replaces the NUL-free pattern; it must refuse NUL itself. */
  readonly pattern?: RegExp;
  /** What the pattern means, for the 400's detail. */
  readonly patternMessage?: string;
}

const lengthMessage = (min: number, max: number) =>
  min === 0
    ? `must be at most ${max} characters`
    : min === max
      ? `must be ${min} characters`
      : `must be ${min} to ${max} characters`;

/**
 * A string of `min`…`max` characters (code points), matching `pattern` (by default: no NUL).
 * Lone surrogates are refused too (JSON Schema cannot say it; a client can only send one by
 * escaping it, and PostgreSQL refuses it).
 */
export function text(options: TextOptions) {
  const min = options.min ?? 0;
  const pattern = options.pattern ?? NO_NUL;
  return z
    .string()
    .check(
      z.refine(
        (value: string) => {
          const length = codePoints(value);
          return length >= min && length <= options.max;
        },
        lengthMessage(min, options.max),
      ),
    )
    .regex(pattern, { error: options.patternMessage ?? 'must be text without NUL characters' })
    .check(z.refine((value: string) => isWellFormedText(value), 'must be text without lone surrogates'))
    .meta({ ...(min > 0 ? { minLength: min } : {}), maxLength: options.max });
}

/**
 * Characters a person's name or a short label must not contain: C0 and C1 controls and the
 * invisible format characters of the Basic Multilingual Plane, except the zero-width joiners
 * (U+200C, U+200D) that Persian and Indic names and emoji need. (As the domain's
 * `parseDisplayName`, which a property test holds this to.)
 */
const FORBIDDEN =
  '\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u0600-\\u0605\\u061c\\u06dd\\u070f\\u0890\\u0891\\u08e2\\u180e\\u200b\\u200e\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb';
/** Whitespace as JavaScript trims it (a regular-expression character class body). */
export const SPACE_CLASS = '\\t\\n\\u000b\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/** A visible name: 1–`max` characters, at least one of them neither whitespace nor a joiner, no control or format character. */
export function displayText(max: number) {
  return text({
    min: 1,
    max,
    pattern: new RegExp(`^[^${FORBIDDEN}]*[^${FORBIDDEN}${SPACE_CLASS}\\u200c\\u200d][^${FORBIDDEN}]*$`),
    patternMessage: 'must be visible text: not blank, no control or formatting characters',
  });
}

/** Text of 1–`max` characters that is not blank (some character other than whitespace) and has no NUL. */
export function nonBlankText(max: number) {
  return text({
    min: 1,
    max,
    pattern: new RegExp(`^[^\\u0000]*[^\\u0000${SPACE_CLASS}][^\\u0000]*$`),
    patternMessage: 'must not be blank (nor contain NUL characters)',
  });
}

const LOCAL = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const TLD = '(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{0,58}[A-Za-z0-9])';
/**
 * The domain's address rule (`normaliseEmailAddress`) as a pattern: a dot-atom local part of at
 * most 64 characters, `@`, DNS labels and a top-level domain, at most 254 characters in all,
 * any case, surrounding spaces allowed (they are trimmed).
 */
export const EMAIL_PATTERN = new RegExp(`^ *(?=[^ ]{1,254} *$)(?=[^@ ]{1,64}@)${LOCAL}@(?:${LABEL}\\.)+${TLD} *$`);

/** An email address the server accepts as one (register, add an address). */
export const emailAddress = () =>
  text({ min: 1, max: 320, pattern: EMAIL_PATTERN, patternMessage: 'must be an email address like name@example.com' }).meta({
    example: 'ada@example.com',
  });

/** An IANA time zone name as the domain's `parseTimeZone` reads it (whether it exists is the domain's: a 422). */
export const timeZoneName = () =>
  text({
    min: 1,
    max: 64,
    pattern: /^(?:UTC|[A-Za-z]+(?:[/_-][A-Za-z0-9+-]+)+|[A-Za-z]{2,})$/,
    patternMessage: 'must be an IANA time zone name such as Europe/Paris or UTC',
  }).meta({ example: 'Europe/London' });

/** A BCP 47 language tag's shape (whether it is a real tag is the domain's: a 422). */
export const languageTag = () =>
  text({
    min: 2,
    max: 35,
    pattern: /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/,
    patternMessage: 'must be a BCP 47 language tag such as en or pt-BR',
  }).meta({ example: 'pt-BR' });

/** A password: 8–128 characters (its strength is the domain's: a 422 saying why). */
export const newPassword = () =>
  text({ min: 8, max: 128 }).meta({
    description: '8–128 characters and not easily guessed (checked with zxcvbn against common passwords and your own details).',
    example: 'correct horse battery staple',
  });

/** `HH:MM` on a 24-hour clock. */
export const clockTime = () =>
  text({ min: 5, max: 5, pattern: /^(?:[01]\d|2[0-3]):[0-5]\d$/, patternMessage: 'must be a time like 22:00' });

/**
 * An E.164 phone number as people type it: `+`, a country code that does not start with 0, 8 to
 * 15 digits in all, with spaces, dots, dashes and brackets anywhere (they are dropped).
 */
export const phoneNumberAsTyped = () =>
  text({
    min: 9,
    max: 32,
    pattern: new RegExp(
      `^[${SPACE_CLASS}.()-]*\\+[${SPACE_CLASS}.()-]*[1-9](?:[${SPACE_CLASS}.()-]*\\d){7,14}[${SPACE_CLASS}.()-]*$`,
    ),
    patternMessage: 'must be an international phone number in E.164 form, like +4915112345678',
  }).meta({ example: '+4915112345678' });

/**
 * A query or path parameter parsed as a whole number in `min`…`max`; its JSON Schema is the
 * integer range (a query string carries text: `?limit=20`).
 */
export const integerParameter = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
