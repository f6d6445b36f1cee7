import { err, ok, type Result } from 'neverthrow';
import { isWellFormedText } from '../platform/text.js';
import { type InvalidProfile, type InvalidTimeZone, therapyErrors } from './therapy.errors.js';
import { MODALITIES, type Modality } from './therapy-session.types.js';
import { parseZone, type ZoneName } from './wall-clock.js';

/** What a therapist offers: a name, a length, how it is held and its price (integer minor units + ISO 4217). */
export interface SessionType {
  readonly id: string;
  readonly name: string;
  readonly durationMinutes: number;
  readonly modality: Modality;
  /** In the currency's minor unit (cents): never a float. */
  readonly priceMinor: number;
  readonly currency: string;
}

/** The therapist's booking rules; every field has a default. */
export interface BookingPolicy {
  /** Kept free before each session (counted in the overlap rule). */
  readonly bufferBeforeMinutes: number;
  /** Kept free after each session. */
  readonly bufferAfterMinutes: number;
  /** A session cannot be booked to start sooner than this. */
  readonly minBookingNoticeMinutes: number;
  /** … nor later than this many days ahead. */
  readonly bookingHorizonDays: number;
  readonly maxSessionsPerDay: number;
  /** Cancelling or rescheduling later than this before the start is late (a fee applies when the patient does it). */
  readonly cancellationNoticeMinutes: number;
  /** A no-show can be recorded only this long after the start. */
  readonly noShowGraceMinutes: number;
  /** Offered start times are the start of an availability window plus multiples of this. */
  readonly slotStepMinutes: number;
}

export const DEFAULT_POLICY: BookingPolicy = {
  bufferBeforeMinutes: 0,
  bufferAfterMinutes: 10,
  minBookingNoticeMinutes: 12 * 60,
  bookingHorizonDays: 90,
  maxSessionsPerDay: 8,
  cancellationNoticeMinutes: 24 * 60,
  noShowGraceMinutes: 15,
  slotStepMinutes: 30,
};

/** Bounds of each policy field (inclusive). */
export const POLICY_LIMITS: Readonly<Record<keyof BookingPolicy, readonly [number, number]>> = {
  bufferBeforeMinutes: [0, 240],
  bufferAfterMinutes: [0, 240],
  minBookingNoticeMinutes: [0, 30 * 24 * 60],
  bookingHorizonDays: [1, 365],
  maxSessionsPerDay: [1, 48],
  cancellationNoticeMinutes: [0, 14 * 24 * 60],
  noShowGraceMinutes: [0, 240],
  slotStepMinutes: [5, 240],
};

export const SESSION_TYPE_LIMITS = {
  nameMax: 100,
  durationMinutes: [10, 480],
  priceMinorMax: 100_000_000,
  perTherapist: 20,
} as const;

export const PROFILE_LIMITS = { bioMax: 5_000, specialties: 20, specialtyMax: 60, languages: 20 } as const;

export interface TherapistProfile {
  readonly therapistId: string;
  readonly bio: string;
  /** Lower-cased, trimmed, unique. */
  readonly specialties: readonly string[];
  /** Canonical BCP 47 tags, unique. */
  readonly languages: readonly string[];
  readonly acceptingNewPatients: boolean;
  readonly timeZone: ZoneName;
  readonly sessionTypes: readonly SessionType[];
  readonly policy: BookingPolicy;
}

export interface SessionTypeInput {
  /** An existing type's id keeps it; without one a new id is taken from `newId`. */
  readonly id?: string | undefined;
  readonly name: string;
  readonly durationMinutes: number;
  readonly modality: string;
  readonly priceMinor: number;
  readonly currency: string;
}

export interface ProfileInput {
  readonly bio?: string | undefined;
  readonly specialties?: readonly string[] | undefined;
  readonly languages?: readonly string[] | undefined;
  readonly acceptingNewPatients?: boolean | undefined;
  readonly timeZone: string;
  readonly sessionTypes?: readonly SessionTypeInput[] | undefined;
  readonly policy?: Partial<Record<keyof BookingPolicy, number | undefined>> | undefined;
}

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const LANGUAGE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

const isWholeIn = (value: number, [min, max]: readonly [number, number]) =>
  Number.isInteger(value) && value >= min && value <= max;

function text(value: string, field: string, min: number, max: number): Result<string, InvalidProfile> {
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (!isWellFormedText(trimmed) || length < min || length > max)
    return err(therapyErrors.invalidProfile(field, `must be ${min} to ${max} characters of text`));
  return ok(trimmed);
}

function parseSessionType(input: SessionTypeInput, index: number, newId: () => string): Result<SessionType, InvalidProfile> {
  const at = (name: string) => `sessionTypes.${index}.${name}`;
  const name = text(input.name, at('name'), 1, SESSION_TYPE_LIMITS.nameMax);
  if (name.isErr()) return err(name.error);
  if (!isWholeIn(input.durationMinutes, SESSION_TYPE_LIMITS.durationMinutes))
    return err(therapyErrors.invalidProfile(at('durationMinutes'), 'must be a whole number of minutes from 10 to 480'));
  if (!(MODALITIES as readonly string[]).includes(input.modality))
    return err(therapyErrors.invalidProfile(at('modality'), 'must be video or in_person'));
  if (!isWholeIn(input.priceMinor, [0, SESSION_TYPE_LIMITS.priceMinorMax]))
    return err(therapyErrors.invalidProfile(at('priceMinor'), 'must be a whole number of minor units (cents) from 0'));
  if (!CURRENCIES.has(input.currency))
    return err(therapyErrors.invalidProfile(at('currency'), 'must be an ISO 4217 currency code such as EUR'));
  return ok({
    id: input.id ?? newId(),
    name: name.value,
    durationMinutes: input.durationMinutes,
    modality: input.modality as Modality,
    priceMinor: input.priceMinor,
    currency: input.currency,
  });
}

/** The canonical form of a tag, or undefined when Intl finds it malformed (`en-a`: an extension without content). */
function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

function parseLanguages(values: readonly string[]): Result<string[], InvalidProfile> {
  if (values.length > PROFILE_LIMITS.languages)
    return err(therapyErrors.invalidProfile('languages', `at most ${PROFILE_LIMITS.languages} languages`));
  const languages: string[] = [];
  for (const [index, value] of values.entries()) {
    const tag = value.trim();
    const canonical = LANGUAGE.test(tag) && tag.length <= 35 ? canonicalLocale(tag) : undefined;
    if (canonical === undefined)
      return err(therapyErrors.invalidProfile(`languages.${index}`, 'must be a BCP 47 language tag such as en or pt-BR'));
    if (!languages.includes(canonical)) languages.push(canonical);
  }
  return ok(languages);
}

function parsePolicy(input: ProfileInput['policy'], base: BookingPolicy): Result<BookingPolicy, InvalidProfile> {
  const policy: Record<string, number> = { ...base };
  for (const [name, limits] of Object.entries(POLICY_LIMITS)) {
    const value = input?.[name as keyof BookingPolicy];
    if (value === undefined) continue;
    if (!isWholeIn(value, limits))
      return err(therapyErrors.invalidProfile(`policy.${name}`, `must be a whole number from ${limits[0]} to ${limits[1]}`));
    policy[name] = value;
  }
  return ok(policy as unknown as BookingPolicy);
}

/**
 * A therapist's profile as they set it up: the fields given replace the current ones (`current`,
 * when the profile exists), the rest stay; a policy field left out keeps its value (or default).
 */
export function setUpProfile(
  therapistId: string,
  input: ProfileInput,
  current: TherapistProfile | undefined,
  newId: () => string,
): Result<TherapistProfile, InvalidProfile | InvalidTimeZone> {
  const zone = parseZone(input.timeZone);
  if (zone.isErr()) return err(zone.error);
  const bio = text(input.bio ?? current?.bio ?? '', 'bio', 0, PROFILE_LIMITS.bioMax);
  if (bio.isErr()) return err(bio.error);
  const specialties: string[] = [];
  const rawSpecialties = input.specialties ?? current?.specialties ?? [];
  if (rawSpecialties.length > PROFILE_LIMITS.specialties)
    return err(therapyErrors.invalidProfile('specialties', `at most ${PROFILE_LIMITS.specialties} specialties`));
  for (const [index, value] of rawSpecialties.entries()) {
    const specialty = text(value, `specialties.${index}`, 1, PROFILE_LIMITS.specialtyMax);
    if (specialty.isErr()) return err(specialty.error);
    const folded = specialty.value.toLowerCase();
    if (!specialties.includes(folded)) specialties.push(folded);
  }
  const languages = parseLanguages(input.languages ?? current?.languages ?? []);
  if (languages.isErr()) return err(languages.error);
  const typesInput = input.sessionTypes ?? current?.sessionTypes ?? [];
  if (typesInput.length > SESSION_TYPE_LIMITS.perTherapist)
    return err(therapyErrors.invalidProfile('sessionTypes', `at most ${SESSION_TYPE_LIMITS.perTherapist} session types`));
  const sessionTypes: SessionType[] = [];
  for (const [index, typeInput] of typesInput.entries()) {
    const type = parseSessionType(typeInput, index, newId);
    if (type.isErr()) return err(type.error);
    if (sessionTypes.some((t) => t.id === type.value.id))
      return err(therapyErrors.invalidProfile(`sessionTypes.${index}.id`, 'each session type needs its own id'));
    sessionTypes.push(type.value);
  }
  const policy = parsePolicy(input.policy, current?.policy ?? DEFAULT_POLICY);
  if (policy.isErr()) return err(policy.error);
  return ok({
    therapistId,
    bio: bio.value,
    specialties,
    languages: languages.value,
    acceptingNewPatients: input.acceptingNewPatients ?? current?.acceptingNewPatients ?? true,
    timeZone: zone.value,
    sessionTypes,
    policy: policy.value,
  });
}
