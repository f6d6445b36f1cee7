import fc from 'fast-check';
import { type Email, parseEmail } from '../users/email.js';
import type { PasswordHash } from '../users/password.js';
import { type DisplayName, type Locale, parseDisplayName, parseLocale, parseTimeZone, type TimeZone } from '../users/profile.js';
import type { NewUser, ProfileChanges, UserState } from '../users/user.js';
import { USER_ROLES, USER_STATUSES, type UserRole, type UserStatus } from '../users/user-role.js';
import { uuidV7Arbitrary } from './platform.arbitraries.js';

const unwrap = <T>(result: { _unsafeUnwrap(): T }): T => result._unsafeUnwrap();

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** RFC 5322 `atext`, lower-case (what parseEmail keeps). */
const ATEXT = [...`${LOWER}${DIGITS}!#$%&'*+/=?^_\`{|}~-`];

const atom = fc.string({ unit: fc.constantFrom(...ATEXT), minLength: 1, maxLength: 15 });
/** Dot-atom local parts of at most 4 × 15 + 3 = 63 characters. */
const localPart = fc.array(atom, { minLength: 1, maxLength: 4 }).map((atoms) => atoms.join('.'));
const labelChars = fc.constantFrom(...LOWER, ...DIGITS);
/** A DNS label: letters and digits, inner hyphens, 1–20 characters. */
const dnsLabel = fc
  .tuple(
    labelChars,
    fc.option(fc.tuple(fc.string({ unit: fc.constantFrom(...LOWER, ...DIGITS, '-'), maxLength: 18 }), labelChars)),
  )
  .map(([first, rest]) => (rest === null ? first : `${first}${rest[0]}${rest[1]}`));
const tld = fc.oneof(
  fc.string({ unit: fc.constantFrom(...LOWER), minLength: 2, maxLength: 10 }),
  fc.string({ unit: fc.constantFrom(...LOWER, ...DIGITS), minLength: 1, maxLength: 10 }).map((rest) => `xn--${rest}`),
);
const domain = fc
  .tuple(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), tld)
  .map(([labels, last]) => [...labels, last].join('.'));

/** Valid addresses in the canonical form parseEmail returns (trimmed, lower-case). */
export const emailArbitrary: fc.Arbitrary<Email> = fc
  .tuple(localPart, domain)
  .map(([local, host]) => unwrap(parseEmail(`${local}@${host}`)));

/** Whitespace `String.prototype.trim` removes. */
const surroundingSpace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\ufeff'), maxLength: 3 });

/** Ways a person may type `email`: any letter case, surrounded by whitespace; parseEmail maps each back to `email`. */
export function emailSpellingArbitrary(email: string): fc.Arbitrary<string> {
  return fc
    .tuple(surroundingSpace, fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }), surroundingSpace)
    .map(([before, upper, after]) => `${before}${[...email].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('')}${after}`);
}

/** Raw input parseEmail must accept: valid addresses in mixed case with surrounding whitespace. */
export const rawEmailArbitrary: fc.Arbitrary<string> = emailArbitrary.chain(emailSpellingArbitrary);

/** Strings parseEmail must refuse, each breaking one rule. */
export const invalidEmailArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '\t\n', '@', 'plainaddress', 'a@b@', '"quoted"@example.com'),
  fc.tuple(localPart, domain).map(([local, host]) => `${local}${host}`), // no @
  domain.map((host) => `@${host}`), // empty local part
  localPart.map((local) => `${local}@`), // empty domain
  fc.tuple(localPart, domain).map(([local, host]) => `.${local}@${host}`),
  fc.tuple(localPart, domain).map(([local, host]) => `${local}.@${host}`),
  fc.tuple(localPart, atom, domain).map(([local, more, host]) => `${local}..${more}@${host}`),
  fc
    .tuple(localPart, fc.constantFrom(' ', '(', ')', ',', ':', ';', '<', '>', '[', ']', '\\', '"', 'é'), localPart, domain)
    .map(([before, bad, after, host]) => `${before}${bad}${after}@${host}`),
  fc.tuple(localPart, dnsLabel).map(([local, label]) => `${local}@${label}`), // single-label domain
  fc.tuple(localPart, dnsLabel, fc.string({ unit: fc.constantFrom(...DIGITS), minLength: 1, maxLength: 4 })).map(
    ([local, label, digits]) => `${local}@${label}.${digits}`, // numeric TLD
  ),
  fc.tuple(localPart, dnsLabel, fc.constantFrom(...LOWER)).map(([local, label, letter]) => `${local}@${label}.${letter}`), // 1-letter TLD
  fc
    .tuple(localPart, dnsLabel, tld, fc.constantFrom('-', '_'))
    .map(([local, label, top, bad]) => `${local}@${bad}${label}.${top}`),
  fc.tuple(localPart, dnsLabel, tld).map(([local, label, top]) => `${local}@${label}-.${top}`), // label ends with -
  fc.tuple(localPart, dnsLabel, tld).map(([local, label, top]) => `${local}@${label}..${top}`), // empty label
  fc.tuple(localPart, tld).map(([local, top]) => `${local}@${'a'.repeat(64)}.${top}`), // label over 63
  fc.tuple(atom, domain).map(([a, host]) => `${a.padEnd(65, 'x')}@${host}`), // local part over 64
  fc.tuple(localPart, tld).map(([local, top]) => `${local}@${Array.from({ length: 26 }, () => 'abcdefghi').join('.')}.${top}`), // over 254
);

/** Real names (accents, scripts, apostrophes) and arbitrary Unicode words, as parseDisplayName returns them. */
export const displayNameArbitrary: fc.Arbitrary<DisplayName> = fc
  .oneof(
    fc.constantFrom(
      'Ana Souza',
      'José Álvarez',
      '李小龙',
      "Ngũgĩ wa Thiong'o",
      "Zoë O'Brien",
      'Þórr Ásgeirsson',
      'Χρήστος',
      'Ada',
    ),
    fc.array(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')),
  )
  .map((raw) => parseDisplayName(raw))
  .filter((parsed) => parsed.isOk())
  .map(unwrap);

/** Real IANA names, some of them links (America/Argentina/Buenos_Aires, Asia/Kolkata, Etc/UTC). */
export const TIME_ZONE_NAMES = [
  'UTC',
  'Etc/UTC',
  'Europe/Paris',
  'Europe/London',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Los_Angeles',
  'America/Argentina/Buenos_Aires',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Asia/Kathmandu',
  'Australia/Adelaide',
  'Pacific/Chatham',
  'Pacific/Kiritimati',
  'Africa/Lagos',
] as const;

/**
 * Time zones as parseTimeZone returns them. The canonical spelling of a link is the
 * runtime's (ICU's): Node 20 turns Asia/Kolkata into Asia/Calcutta.
 */
export const timeZoneArbitrary: fc.Arbitrary<TimeZone> = fc
  .constantFrom(...TIME_ZONE_NAMES)
  .map((name) => unwrap(parseTimeZone(name)));

/** Real BCP 47 tags, in the canonical form parseLocale returns. */
export const LOCALE_TAGS = [
  'en',
  'en-US',
  'en-GB',
  'pt-BR',
  'pt-PT',
  'fr',
  'fr-CA',
  'de',
  'es-419',
  'zh-Hant-TW',
  'sr-Latn-RS',
  'ja',
  'ar',
  'hi-IN',
] as const;

export const localeArbitrary: fc.Arbitrary<Locale> = fc.constantFrom(...LOCALE_TAGS).map((tag) => unwrap(parseLocale(tag)));

export const userRoleArbitrary: fc.Arbitrary<UserRole> = fc.constantFrom(...USER_ROLES);
export const userStatusArbitrary: fc.Arbitrary<UserStatus> = fc.constantFrom(...USER_STATUSES);

/** Stand-ins for encoded hashes: the domain never looks inside one. */
export const passwordHashArbitrary: fc.Arbitrary<PasswordHash> = fc.string({ minLength: 1 }).map((s) => s as PasswordHash);

/** Registration input with parsed value objects, any role (User.register refuses `admin`). */
export const newUserArbitrary: fc.Arbitrary<NewUser> = fc.record({
  id: uuidV7Arbitrary(),
  email: emailArbitrary,
  displayName: displayNameArbitrary,
  role: userRoleArbitrary,
  passwordHash: passwordHashArbitrary,
  timeZone: timeZoneArbitrary,
  locale: localeArbitrary,
});

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const createdAtArbitrary = fc.date({
  min: new Date('2020-01-01T00:00:00.000Z'),
  max: new Date('2100-01-01T00:00:00.000Z'),
  noInvalidDate: true,
});
const offset = fc.integer({ min: 0, max: YEAR_MS });

/**
 * States the status machine can reach, as a repository would rebuild them: pending users are
 * unverified, active users verified, deactivated users either; deactivation ended every session;
 * every timestamp lies between createdAt and updatedAt.
 */
export const userStateArbitrary: fc.Arbitrary<UserState> = fc
  .record({
    user: newUserArbitrary,
    status: userStatusArbitrary,
    createdAt: createdAtArbitrary,
    verifiedAfter: fc.option(offset, { nil: undefined }),
    deactivatedAfter: offset,
    revokedAfter: fc.option(offset, { nil: undefined }),
    updatedAfter: offset,
    version: fc.nat({ max: 1000 }),
  })
  .map(({ user, status, createdAt, verifiedAfter, deactivatedAfter, revokedAfter, updatedAfter, version }) => {
    const at = (ms: number) => new Date(createdAt.getTime() + ms);
    const verified = status === 'active' ? (verifiedAfter ?? 0) : status === 'pending_verification' ? undefined : verifiedAfter;
    const deactivated = status === 'deactivated' ? deactivatedAfter : undefined;
    const revoked = deactivated === undefined ? revokedAfter : Math.max(deactivated, revokedAfter ?? 0);
    const latest = Math.max(verified ?? 0, deactivated ?? 0, revoked ?? 0, updatedAfter);
    return {
      ...user,
      status,
      emailVerifiedAt: verified === undefined ? null : at(verified),
      createdAt,
      updatedAt: at(latest),
      deactivatedAt: deactivated === undefined ? null : at(deactivated),
      sessionsRevokedAt: revoked === undefined ? null : at(revoked),
      version,
    };
  });

/** One step for User's status machine, to apply `afterMs` after the previous one. */
export type UserCommand = { readonly afterMs: number } & (
  | { readonly kind: 'verifyEmail' }
  | { readonly kind: 'deactivate'; readonly by: string | null; readonly reason: string | null }
  | { readonly kind: 'reactivate'; readonly by: string | null }
  | { readonly kind: 'updateProfile'; readonly changes: ProfileChanges }
  | { readonly kind: 'changePassword'; readonly hash: PasswordHash; readonly reason: 'changed' | 'reset' }
  | { readonly kind: 'revokeSessions' }
);

/** Mostly sub-second and second-scale steps (so session revocation meets JWT's second resolution), sometimes days. */
const afterMs = fc.oneof(fc.integer({ min: 0, max: 1_500 }), fc.integer({ min: 0, max: 10 * 24 * 60 * 60 * 1000 }));
const actor = fc.option(uuidV7Arbitrary(), { nil: null });

const profileChangesArbitrary: fc.Arbitrary<ProfileChanges> = fc.record(
  { displayName: displayNameArbitrary, timeZone: timeZoneArbitrary, locale: localeArbitrary },
  { requiredKeys: [] },
);

export const singleUserCommandArbitrary: fc.Arbitrary<UserCommand> = fc.oneof(
  fc.record({ afterMs, kind: fc.constant('verifyEmail' as const) }),
  fc.record({
    afterMs,
    kind: fc.constant('deactivate' as const),
    by: actor,
    reason: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  }),
  fc.record({ afterMs, kind: fc.constant('reactivate' as const), by: actor }),
  fc.record({ afterMs, kind: fc.constant('updateProfile' as const), changes: profileChangesArbitrary }),
  fc.record({
    afterMs,
    kind: fc.constant('changePassword' as const),
    hash: passwordHashArbitrary,
    reason: fc.constantFrom('changed' as const, 'reset' as const),
  }),
  fc.record({ afterMs, kind: fc.constant('revokeSessions' as const) }),
);

/** A sequence of commands for User's status machine (verifyEmail, deactivate, reactivate, updateProfile, changePassword, revokeSessions). */
export const userCommandArbitrary: fc.Arbitrary<readonly UserCommand[]> = fc.array(singleUserCommandArbitrary, {
  maxLength: 30,
  size: 'max',
});
