import fc from 'fast-check';
import {
  DEFAULT_CLINICAL_TERMS,
  DEFAULT_FORBIDDEN_WORDS,
  findTerm,
  MESSAGE_MAX_LENGTH,
} from '../notifications/content-policy.js';
import {
  CATEGORIES,
  type Category,
  CHANNELS,
  type Channel,
  NOTIFICATION_STATUSES,
  type NotificationStatus,
  PRIORITIES,
  type Priority,
} from '../notifications/kinds.js';
import type { NewNotification, NotificationMetadata } from '../notifications/notification.js';
import {
  type ChannelChoices,
  type NotificationPreferences,
  OPTIONAL_CATEGORIES,
  type OptionalCategory,
  type PreferencesInput,
} from '../notifications/preferences.js';
import type { QuietHours } from '../notifications/quiet-hours.js';
import { isWellFormedText } from '../platform/text.js';
import { uuidV7Arbitrary } from './platform.arbitraries.js';
import { invalidEmailArbitrary, rawEmailArbitrary } from './users.arbitraries.js';

export const channelArbitrary: fc.Arbitrary<Channel> = fc.constantFrom(...CHANNELS);
export const categoryArbitrary: fc.Arbitrary<Category> = fc.constantFrom(...CATEGORIES);
export const optionalCategoryArbitrary: fc.Arbitrary<OptionalCategory> = fc.constantFrom(...OPTIONAL_CATEGORIES);
export const priorityArbitrary: fc.Arbitrary<Priority> = fc.constantFrom(...PRIORITIES);
export const notificationStatusArbitrary: fc.Arbitrary<NotificationStatus> = fc.constantFrom(...NOTIFICATION_STATUSES);

// ── Phone numbers ────────────────────────────────────────────────────────────────────────────

const digit = fc.constantFrom(...'0123456789');
const digits = (minLength: number, maxLength: number) => fc.string({ unit: digit, minLength, maxLength });
const leadingDigit = fc.constantFrom(...'123456789');

/** E.164 numbers as parsePhoneNumber returns them: a plus, a country code not starting with 0, 8 to 15 digits in all. */
export const e164PhoneNumberArbitrary: fc.Arbitrary<string> = fc
  .tuple(leadingDigit, digits(7, 14))
  .map(([first, rest]) => `+${first}${rest}`);

/** Characters people type inside a phone number that parsePhoneNumber drops. */
const phoneSeparator = fc.constantFrom(' ', '.', '-', '(', ')', '\t', '\u00a0');
const surroundingSpace = fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2003'), maxLength: 3 });

/** Ways a person may type `number` (E.164): separators anywhere after the plus, whitespace around. */
export function phoneNumberSpellingArbitrary(number: string): fc.Arbitrary<string> {
  const rest = [...number.slice(1)];
  return fc
    .tuple(
      surroundingSpace,
      fc.array(fc.option(fc.string({ unit: phoneSeparator, minLength: 1, maxLength: 2 }), { nil: '' }), {
        minLength: rest.length,
        maxLength: rest.length,
      }),
      surroundingSpace,
    )
    .map(([before, separators, after]) => `${before}+${rest.map((d, i) => `${separators[i]}${d}`).join('')}${after}`);
}

/** Raw input parsePhoneNumber must accept. */
export const rawPhoneNumberArbitrary: fc.Arbitrary<string> = e164PhoneNumberArbitrary.chain(phoneNumberSpellingArbitrary);

/** Strings parsePhoneNumber must refuse, each breaking one rule. */
export const invalidPhoneNumberArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '+', '++4915112345678', '+49 151 1234567x', '+49/151/12345678', 'tel:+4915112345678'),
  fc.tuple(leadingDigit, digits(7, 14)).map(([first, rest]) => `${first}${rest}`), // no plus
  fc.tuple(leadingDigit, digits(7, 14)).map(([first, rest]) => `00${first}${rest}`), // international prefix instead of +
  digits(7, 14).map((rest) => `+0${rest}`), // country code starting with 0
  fc.tuple(leadingDigit, digits(0, 6)).map(([first, rest]) => `+${first}${rest}`), // under 8 digits
  fc.tuple(leadingDigit, digits(15, 20)).map(([first, rest]) => `+${first}${rest}`), // over 15 digits
  fc
    .tuple(e164PhoneNumberArbitrary, fc.constantFrom('a', 'x', '#', '*', '/', ',', '_', '+', '٣', '１'), fc.nat())
    .map(([number, bad, at]) => {
      const i = 1 + (at % number.length);
      return `${number.slice(0, i)}${bad}${number.slice(i)}`;
    }),
);

// ── Device tokens ────────────────────────────────────────────────────────────────────────────

const printable = fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code));

/** Push device tokens: 16 to 4096 printable ASCII characters, no spaces (mostly short, sometimes the longest allowed). */
export const deviceTokenArbitrary: fc.Arbitrary<string> = fc.oneof(
  { weight: 9, arbitrary: fc.string({ unit: printable, minLength: 16, maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: printable, minLength: 4096, maxLength: 4096 }) },
);

/** Strings parseDeviceToken must refuse. */
export const invalidDeviceTokenArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: printable, maxLength: 15 }), // too short
  fc.string({ unit: printable, minLength: 4097, maxLength: 4100 }), // too long
  fc
    .tuple(deviceTokenArbitrary, fc.constantFrom(' ', '\t', '\u0000', '\u007f', 'é', '€', '🔑'), fc.nat())
    .map(([token, bad, at]) => {
      const i = 1 + (at % (token.length - 1));
      return `${token.slice(0, i)}${bad}${token.slice(i)}`;
    }),
);

// ── Recipients ───────────────────────────────────────────────────────────────────────────────

/** Raw recipients a channel accepts: an email address, a typed phone number or a device token, with whitespace around. */
export function recipientArbitrary(channel: Channel): fc.Arbitrary<string> {
  switch (channel) {
    case 'email':
      return rawEmailArbitrary;
    case 'sms':
      return rawPhoneNumberArbitrary;
    case 'push':
      return fc.tuple(surroundingSpace, deviceTokenArbitrary, surroundingSpace).map(([a, token, b]) => `${a}${token}${b}`);
  }
}

/** Raw recipients a channel refuses. */
export function invalidRecipientArbitrary(channel: Channel): fc.Arbitrary<string> {
  switch (channel) {
    case 'email':
      return invalidEmailArbitrary;
    case 'sms':
      return fc.oneof(invalidPhoneNumberArbitrary, rawEmailArbitrary);
    case 'push':
      return invalidDeviceTokenArbitrary;
  }
}

// ── Message content ──────────────────────────────────────────────────────────────────────────

const SENSITIVE_TERMS = [...DEFAULT_FORBIDDEN_WORDS, ...DEFAULT_CLINICAL_TERMS];
const isDiscreet = (text: string) =>
  text.trim().length > 0 && isWellFormedText(text) && findTerm(text, SENSITIVE_TERMS) === undefined;

const VOCABULARY = [
  'Your',
  'appointment',
  'is',
  'tomorrow',
  'at',
  '10:30',
  'with',
  'Ana',
  'Open',
  'the',
  'app',
  'for',
  'details',
  'code:',
  '483920',
  'Hello',
  'Olá',
  'Grüße',
  'reminder',
  'confirmed',
  'rescheduled',
  'please',
  'reply',
  'STOP',
  '📅',
  '✔',
  '—',
  '李',
  'antispam',
  'therapyx',
  'spammer',
];

const discreetText = (maxWords: number) =>
  fc
    .oneof(
      fc.array(fc.constantFrom(...VOCABULARY), { minLength: 1, maxLength: maxWords }).map((words) => words.join(' ')),
      fc.string({ unit: 'binary', minLength: 1, maxLength: maxWords * 4 }),
    )
    .filter(isDiscreet);

/** Texts without forbidden words nor clinical terms: fine on every channel. At most 160 code points. */
export const discreetTextArbitrary: fc.Arbitrary<string> = discreetText(12);

/** `term` as people write it: any letter case, sometimes an accent on a letter (matching ignores both). */
export function termSpellingArbitrary(term: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.boolean(), { minLength: term.length, maxLength: term.length }), fc.option(fc.nat(), { nil: undefined }))
    .map(([upper, accentAt]) => {
      const chars = [...term].map((c, i) => (upper[i] ? c.toUpperCase() : c));
      if (accentAt !== undefined) {
        const letters = chars.flatMap((c, i) => (/\p{L}/u.test(c) ? [i] : []));
        const i = letters[accentAt % letters.length] as number;
        chars[i] = `${chars[i]}\u0301`;
      }
      return chars.join('');
    });
}

/** `term` placed as a whole word inside discreet text, with punctuation around it (at most 200 code points). */
function textWith(terms: readonly string[]): fc.Arbitrary<{ text: string; term: string }> {
  return fc
    .tuple(
      fc.constantFrom(...terms).chain((term) => fc.tuple(fc.constant(term), termSpellingArbitrary(term))),
      fc.option(discreetText(4), { nil: '' }),
      fc.constantFrom(' ', ' "', ' (', '\n', ' ¿'),
      fc.constantFrom('', '!', '.', '?', ',', '"', ')'),
      fc.option(discreetText(4), { nil: '' }),
    )
    .map(([[term, spelled], before, open, close, after]) => ({ text: `${before}${open}${spelled}${close} ${after}`, term }));
}

/** Texts that mention one of DEFAULT_CLINICAL_TERMS (no forbidden word): refused on SMS and push only. */
export const clinicalTextArbitrary: fc.Arbitrary<{ text: string; term: string }> = textWith(DEFAULT_CLINICAL_TERMS);

/** Texts that contain one of DEFAULT_FORBIDDEN_WORDS: refused everywhere. */
export const forbiddenTextArbitrary: fc.Arbitrary<{ text: string; term: string }> = textWith(DEFAULT_FORBIDDEN_WORDS);

export interface ContentInput {
  readonly subject: string | null;
  readonly message: string;
}

/** Content DEFAULT_CONTENT_POLICY accepts on `channel`: emails have a subject and may be clinical, SMS and push texts are discreet. */
export function validContentArbitrary(channel: Channel): fc.Arbitrary<ContentInput> {
  if (channel === 'email') {
    const text = fc.oneof(
      discreetTextArbitrary,
      clinicalTextArbitrary.map(({ text }) => text),
    );
    return fc.record({ subject: text, message: text });
  }
  return fc.record({ subject: fc.option(discreetTextArbitrary, { nil: null }), message: discreetTextArbitrary });
}

/** A message of exactly `length` code points, some of them outside the BMP (two UTF-16 units each). */
export function messageOfLength(length: number): fc.Arbitrary<string> {
  return fc
    .array(fc.constantFrom('a', 'é', ' ', '📅', '李', '𝔸'), { minLength: length - 1, maxLength: length - 1 })
    .map((chars) => `x${chars.join('')}`);
}

/** Messages over MESSAGE_MAX_LENGTH code points. */
export const overlongMessageArbitrary: fc.Arbitrary<string> = fc
  .integer({ min: MESSAGE_MAX_LENGTH + 1, max: MESSAGE_MAX_LENGTH + 50 })
  .chain(messageOfLength);

// ── Quiet hours and time zones ───────────────────────────────────────────────────────────────

/** Minute of the day (0–1439) as `HH:MM`. */
export const clockOf = (minute: number): string =>
  `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

export const clockArbitrary: fc.Arbitrary<string> = fc.integer({ min: 0, max: 24 * 60 - 1 }).map(clockOf);

/** Valid quiet hours: two different `HH:MM` times (the end may come before the start: over midnight). */
export const quietHoursArbitrary: fc.Arbitrary<QuietHours> = fc
  .uniqueArray(fc.integer({ min: 0, max: 24 * 60 - 1 }), { minLength: 2, maxLength: 2 })
  .map(([start, end]) => ({ start: clockOf(start as number), end: clockOf(end as number) }));

/** Strings parseQuietHours refuses as a time. */
export const invalidClockArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '7:00', '07:0', '24:00', '23:60', '07-00', '0700', ' 07:00', '07:00 ', '7 pm', '07:00:00', '０７:００'),
  fc.string({ maxLength: 6 }).filter((s) => !/^([01]\d|2[0-3]):[0-5]\d$/.test(s)),
);

/**
 * Zones whose clocks do awkward things: DST at 02:00 and at 01:00 UTC, a 30-minute DST
 * (Lord Howe), offsets of +5:30, +5:45 and +12:45/+13:45 (Chatham), a zone that dropped DST
 * in 2019 (São Paulo), and UTC.
 */
export const QUIET_HOURS_TIME_ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'UTC',
] as const;

export const quietHoursTimeZoneArbitrary: fc.Arbitrary<string> = fc.constantFrom(...QUIET_HOURS_TIME_ZONES);

const MINUTE_MS = 60_000;
const RANGE_START = Date.UTC(2020, 0, 1);
const RANGE_END = Date.UTC(2030, 11, 31, 23, 59);

/** Instants from 2020 to 2030, to the millisecond. */
export const instant2020sArbitrary: fc.Arbitrary<Date> = fc
  .integer({ min: RANGE_START, max: RANGE_END })
  .map((ms) => new Date(ms));

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Minutes `timeZone`'s wall clock is ahead of UTC at `ms`. */
export function utcOffsetMinutes(ms: number, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    offsetFormatters.set(timeZone, formatter);
  }
  const part = Object.fromEntries(formatter.formatToParts(ms).map(({ type, value }) => [type, Number(value)]));
  const wall = Date.UTC(part.year as number, (part.month as number) - 1, part.day, part.hour, part.minute);
  return Math.round((wall - Math.floor(ms / MINUTE_MS) * MINUTE_MS) / MINUTE_MS);
}

const clockChanges = new Map<string, readonly number[]>();

/** The instants (whole UTC minutes) at which `timeZone`'s UTC offset changes, 2020–2030. */
export function clockChangesOf(timeZone: string): readonly number[] {
  const known = clockChanges.get(timeZone);
  if (known !== undefined) return known;
  const found: number[] = [];
  const step = 6 * 60 * MINUTE_MS;
  let offset = utcOffsetMinutes(RANGE_START, timeZone);
  for (let ms = RANGE_START; ms < RANGE_END; ms += step) {
    const next = utcOffsetMinutes(ms + step, timeZone);
    if (next === offset) continue;
    let low = ms; // still the old offset
    let high = ms + step; // the new one by here
    while (high - low > MINUTE_MS) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
      if (utcOffsetMinutes(middle, timeZone) === offset) low = middle;
      else high = middle;
    }
    found.push(high);
    offset = next;
  }
  clockChanges.set(timeZone, found);
  return found;
}

/**
 * Instants in `timeZone` from 2020 to 2030: uniformly spread, or within a day before and a few
 * hours after one of its clock changes (where quiet hours get interesting).
 */
export function quietHoursInstantArbitrary(timeZone: string): fc.Arbitrary<Date> {
  const changes = clockChangesOf(timeZone);
  if (changes.length === 0) return instant2020sArbitrary;
  return fc.oneof(
    instant2020sArbitrary,
    fc
      .tuple(fc.constantFrom(...changes), fc.integer({ min: -26 * 60 * MINUTE_MS, max: 3 * 60 * MINUTE_MS }))
      .map(([change, offset]) => new Date(change + offset)),
  );
}

// ── Notifications ────────────────────────────────────────────────────────────────────────────

const metadataArbitrary: fc.Arbitrary<NotificationMetadata> = fc.dictionary(
  fc.stringMatching(/^[a-z][a-zA-Z]{0,11}$/),
  fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null)),
  { maxKeys: 4 },
);

export interface NewNotificationOptions {
  readonly channel?: fc.Arbitrary<Channel>;
  readonly category?: fc.Arbitrary<Category>;
  readonly priority?: fc.Arbitrary<Priority>;
}

/**
 * Requests Notification.request accepts under DEFAULT_CONTENT_POLICY: a raw recipient and
 * content valid for their channel, optional fields present or not; `sendAt` in 2020–2030.
 */
export function newNotificationArbitrary(options: NewNotificationOptions = {}): fc.Arbitrary<NewNotification> {
  return fc
    .tuple(options.channel ?? channelArbitrary, options.category ?? categoryArbitrary, options.priority ?? priorityArbitrary)
    .chain(([channel, category, priority]) =>
      fc
        .record(
          {
            id: uuidV7Arbitrary(),
            userId: fc.option(uuidV7Arbitrary(), { nil: null }),
            recipient: recipientArbitrary(channel),
            content: validContentArbitrary(channel),
            html: fc.option(fc.constantFrom('<p>Your appointment is <b>tomorrow</b>.</p>', '<p>Code: 483920</p>'), { nil: null }),
            metadata: metadataArbitrary,
            templateKey: fc.option(fc.constantFrom('users.verify_email', 'therapy.reminder', 'billing.receipt'), { nil: null }),
            locale: fc.option(fc.constantFrom('en', 'pt-BR', 'de'), { nil: null }),
            deduplicationKey: fc.option(fc.stringMatching(/^[a-z0-9:.-]{1,40}$/), { nil: null }),
            sendAt: fc.option(instant2020sArbitrary, { nil: null }),
          },
          { requiredKeys: ['id', 'userId', 'recipient', 'content'] },
        )
        .map(({ content, ...rest }): NewNotification => ({ ...rest, ...content, channel, category, priority })),
    );
}

/** One step of Notification's status machine, to apply `afterMs` after the previous one. */
export type NotificationCommand = { readonly afterMs: number } & (
  | { readonly kind: 'startAttempt'; readonly leaseMs: number }
  | { readonly kind: 'attemptFailed'; readonly error: string }
  | { readonly kind: 'attemptAbandoned' }
  | { readonly kind: 'holdUntil'; readonly forMs: number }
  | { readonly kind: 'releaseHold' }
  | { readonly kind: 'markSent'; readonly providerMessageId: string | null }
  | { readonly kind: 'markDelivered' }
  | { readonly kind: 'markFailed'; readonly error: string }
  | { readonly kind: 'cancel'; readonly reason: string }
);

/** Mostly steps shorter than a claim (so claims are still held), sometimes longer. */
const stepMs = fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 10 * 60_000 }));
const errorText = fc.constantFrom('timeout', 'smtp 451 try later', 'bounced: mailbox unavailable', 'provider refused', '');

export const singleNotificationCommandArbitrary: fc.Arbitrary<NotificationCommand> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('startAttempt' as const), leaseMs: fc.nat({ max: 120_000 }) }),
  },
  { weight: 2, arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('attemptFailed' as const), error: errorText }) },
  { weight: 1, arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('attemptAbandoned' as const) }) },
  { weight: 1, arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('releaseHold' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('holdUntil' as const), forMs: fc.nat({ max: 86_400_000 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      afterMs: stepMs,
      kind: fc.constant('markSent' as const),
      providerMessageId: fc.option(fc.stringMatching(/^[a-z0-9-]{1,20}$/), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('markDelivered' as const) }) },
  { weight: 1, arbitrary: fc.record({ afterMs: stepMs, kind: fc.constant('markFailed' as const), error: errorText }) },
  {
    weight: 1,
    arbitrary: fc.record({
      afterMs: stepMs,
      kind: fc.constant('cancel' as const),
      reason: fc.constantFrom('opted out', 'recipient deactivated', 'withdrawn'),
    }),
  },
);

/** Sequences of commands for Notification's status machine. */
export const notificationCommandsArbitrary: fc.Arbitrary<readonly NotificationCommand[]> = fc.array(
  singleNotificationCommandArbitrary,
  { maxLength: 12 },
);

// ── Preferences ──────────────────────────────────────────────────────────────────────────────

/** A value, sometimes an explicit `undefined` (what a mapped request body holds for a field left out). */
const orUndefined = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary }, { weight: 1, arbitrary: fc.constant(undefined) });

const partialChoices = orUndefined(
  fc.record(
    { reminder: orUndefined(fc.boolean()), transactional: orUndefined(fc.boolean()), announcement: orUndefined(fc.boolean()) },
    { requiredKeys: [] },
  ),
);

/**
 * Valid changes for changePreferences: any subset of channels and categories, quiet hours,
 * number and token set, cleared, left out or explicitly undefined.
 */
export const preferencesInputArbitrary: fc.Arbitrary<PreferencesInput> = fc.record(
  {
    channels: orUndefined(fc.record({ email: partialChoices, sms: partialChoices, push: partialChoices }, { requiredKeys: [] })),
    quietHours: orUndefined(fc.option(quietHoursArbitrary, { nil: null })),
    phoneNumber: orUndefined(fc.option(rawPhoneNumberArbitrary, { nil: null })),
    pushToken: orUndefined(fc.option(deviceTokenArbitrary, { nil: null })),
  },
  { requiredKeys: [] },
);

const fullChoices = fc.record({ reminder: fc.boolean(), transactional: fc.boolean(), announcement: fc.boolean() });

export const channelChoicesArbitrary: fc.Arbitrary<ChannelChoices> = fc.record({
  email: fullChoices,
  sms: fullChoices,
  push: fullChoices,
});

/** Preferences as a repository would rebuild them. */
export const notificationPreferencesArbitrary: fc.Arbitrary<NotificationPreferences> = fc.record({
  userId: uuidV7Arbitrary(),
  channels: channelChoicesArbitrary,
  quietHours: fc.option(quietHoursArbitrary, { nil: null }),
  phoneNumber: fc.option(e164PhoneNumberArbitrary, { nil: null }),
  pushToken: fc.option(deviceTokenArbitrary, { nil: null }),
  updatedAt: fc.option(instant2020sArbitrary, { nil: null }),
});
