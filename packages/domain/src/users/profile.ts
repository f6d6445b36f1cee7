import { err, ok, type Result } from 'neverthrow';
import { isWellFormedText } from '../platform/text.js';
import { type InvalidDisplayName, type InvalidLocale, type InvalidTimeZone, invalidField } from './user.errors.js';

declare const displayNameBrand: unique symbol;
declare const timeZoneBrand: unique symbol;
declare const localeBrand: unique symbol;

/** A person's name as shown to others: trimmed, inner whitespace collapsed, 1–100 characters, no control characters. */
export type DisplayName = string & { readonly [displayNameBrand]: true };
/** A canonical IANA time zone name (`Europe/Paris`, `UTC`). */
export type TimeZone = string & { readonly [timeZoneBrand]: true };
/** A canonical BCP 47 language tag (`en`, `pt-BR`). */
export type Locale = string & { readonly [localeBrand]: true };

export const DISPLAY_NAME_MAX = 100;

export { isWellFormedText };

export function parseDisplayName(value: string, field = 'displayName'): Result<DisplayName, InvalidDisplayName> {
  const name = value.trim().replace(/\s+/gu, ' ');
  const length = [...name].length;
  if (length === 0) return err(invalidField('users.invalid_display_name', field, 'must not be empty'));
  if (length > DISPLAY_NAME_MAX) {
    return err(invalidField('users.invalid_display_name', field, `must be at most ${DISPLAY_NAME_MAX} characters`));
  }
  // Joiners (U+200C, U+200D) belong to Persian and Indic names and to emoji; other format characters hide text.
  const visible = name.replace(/[\u200c\u200d]/gu, '');
  if (/[\p{Cc}\p{Cf}]/u.test(visible) || !isWellFormedText(name)) {
    return err(invalidField('users.invalid_display_name', field, 'must not contain control or formatting characters'));
  }
  if (visible.trim().length === 0) return err(invalidField('users.invalid_display_name', field, 'must not be empty'));
  return ok(name as DisplayName);
}

const IANA_NAME = /^(?:UTC|[A-Za-z]+(?:[/_-][A-Za-z0-9+-]+)+|[A-Za-z]{2,})$/;

/**
 * Accepts IANA names in any case; offsets like `+01:00` are refused. The name keeps the
 * spelling asked for (`Asia/Kolkata` stays `Asia/Kolkata` even where the runtime's ICU
 * prefers the older `Asia/Calcutta`), with its case corrected when the runtime knows it.
 */
export function parseTimeZone(value: string, field = 'timeZone'): Result<TimeZone, InvalidTimeZone> {
  const name = value.trim();
  const invalid = err(
    invalidField('users.invalid_time_zone', field, 'must be an IANA time zone name such as Europe/Paris or UTC'),
  );
  if (name.length > 64 || !IANA_NAME.test(name)) return invalid;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return invalid;
  }
  const wanted = name.toLowerCase();
  const spelled = [resolved, ...Intl.supportedValuesOf('timeZone')].find((zone) => zone.toLowerCase() === wanted);
  return ok((spelled ?? name) as TimeZone);
}

/** Accepts a BCP 47 language tag and returns its canonical form (`pt-br` → `pt-BR`). */
export function parseLocale(value: string, field = 'locale'): Result<Locale, InvalidLocale> {
  const tag = value.trim();
  const invalid = err(invalidField('users.invalid_locale', field, 'must be a BCP 47 language tag such as en or pt-BR'));
  if (tag.length === 0 || tag.length > 35 || !/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) return invalid;
  try {
    const [canonical] = Intl.getCanonicalLocales(tag);
    return canonical === undefined ? invalid : ok(canonical as Locale);
  } catch {
    return invalid;
  }
}
