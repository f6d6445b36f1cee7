import type { IssuedCalendar, SessionView, SlotsView, TherapistView } from '@aura/application/therapy';
import {
  AVAILABILITY_LIMITS,
  type Availability,
  CANCELLATION_REASONS,
  MODALITIES,
  POLICY_LIMITS,
  PROFILE_LIMITS,
  SESSION_STATUSES,
  SESSION_TYPE_LIMITS,
  WAIVER_REASONS,
} from '@aura/domain/therapy';
import { z } from 'zod';
import { nonBlankText, text as plainText } from '../platform/schemas.js';

/** Text PostgreSQL can store (no NUL, no lone surrogate): any (min 0), or not blank (min 1); lengths in code points. */
const text = (min: 0 | 1, max: number) => (min === 0 ? plainText({ max }) : nonBlankText(max));

/** IANA names Aura's time arithmetic knows: the runtime's list, UTC, and the current names of renamed zones. */
const ZONES = [
  ...new Set([
    ...Intl.supportedValuesOf('timeZone'),
    'UTC',
    'Asia/Kolkata',
    'Europe/Kyiv',
    'America/Nuuk',
    'Asia/Yangon',
    'Pacific/Kanton',
  ]),
]
  .filter((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  })
  .sort() as [string, ...string[]];

export const timeZoneSchema = z
  .enum(ZONES)
  .meta({ id: 'TimeZone', description: 'An IANA time zone name.', example: 'Europe/Berlin' });
const currency = z
  .enum(Intl.supportedValuesOf('currency') as [string, ...string[]])
  .meta({ id: 'Currency', description: 'ISO 4217 code.', example: 'EUR' });
const instant = z.iso.datetime({ offset: true });
const uuid = z.uuid();
const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a time like 09:00' })
  .meta({ example: '09:00' });
const endClock = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: 'must be a time like 17:00 (24:00 for the end of the day)' })
  .meta({ example: '17:00' });
const date = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'must be a date like 2026-12-24' })
  .meta({ example: '2026-12-24' });
const language = z
  .string()
  .max(35)
  .regex(/^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?$/, {
    error: 'must be a language tag: language, optional script and region, such as en, pt-BR or zh-Hant-TW',
  })
  .meta({ example: 'pt-BR' });
/** A BCP 47 tag of language, optional script and optional region (what people have; no extensions). */
export const languageTagSchema = language;
const modality = z.enum(MODALITIES);
const iso = (at: Date | null) => at?.toISOString() ?? null;

// ── therapists ─────────────────────────────────────────────────────────────────────────────

const sessionTypeSchema = z
  .object({
    id: uuid,
    name: z.string(),
    durationMinutes: z.number().int(),
    modality,
    priceMinor: z.number().int().meta({ description: 'In the currency’s minor unit (cents).' }),
    currency,
  })
  .meta({ id: 'SessionType' });

const policyFields = Object.fromEntries(
  Object.entries(POLICY_LIMITS).map(([name, [min, max]]) => [name, z.number().int().min(min).max(max)]),
) as Record<keyof typeof POLICY_LIMITS, z.ZodNumber>;

const policySchema = z.object(policyFields).meta({
  id: 'BookingPolicy',
  description:
    'Buffers kept free around each session, the minimum booking notice, the booking horizon (days), the most sessions per day, the cancellation notice (late inside it), the no-show grace period and the step between offered start times. Minutes unless said otherwise.',
});

export const therapistSchema = z
  .object({
    therapistId: uuid,
    displayName: z.string(),
    bio: z.string(),
    specialties: z.array(z.string()),
    languages: z.array(z.string()),
    acceptingNewPatients: z.boolean(),
    timeZone: z.string(),
    sessionTypes: z.array(sessionTypeSchema),
    policy: policySchema,
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Therapist' });

export const toTherapistJson = (t: TherapistView): z.input<typeof therapistSchema> => ({
  therapistId: t.therapistId,
  displayName: t.displayName,
  bio: t.bio,
  specialties: [...t.specialties],
  languages: [...t.languages],
  acceptingNewPatients: t.acceptingNewPatients,
  timeZone: t.timeZone,
  sessionTypes: t.sessionTypes.map((type) => ({ ...type })),
  policy: { ...t.policy },
  updatedAt: t.updatedAt.toISOString(),
});

export const profileBodySchema = z
  .strictObject({
    bio: text(0, PROFILE_LIMITS.bioMax).optional(),
    specialties: z.array(text(1, PROFILE_LIMITS.specialtyMax)).max(PROFILE_LIMITS.specialties).optional(),
    languages: z.array(language).max(PROFILE_LIMITS.languages).optional(),
    acceptingNewPatients: z.boolean().optional(),
    timeZone: timeZoneSchema,
    sessionTypes: z
      .array(
        z.strictObject({
          id: uuid.optional().meta({ description: 'Send an existing type’s id to keep it; leave it out for a new type.' }),
          name: text(1, SESSION_TYPE_LIMITS.nameMax),
          durationMinutes: z
            .number()
            .int()
            .min(SESSION_TYPE_LIMITS.durationMinutes[0])
            .max(SESSION_TYPE_LIMITS.durationMinutes[1]),
          modality,
          priceMinor: z.number().int().min(0).max(SESSION_TYPE_LIMITS.priceMinorMax),
          currency,
        }),
      )
      .max(SESSION_TYPE_LIMITS.perTherapist)
      .optional(),
    policy: z.strictObject(Object.fromEntries(Object.entries(policyFields).map(([k, v]) => [k, v.optional()]))).optional(),
  })
  .meta({ description: 'Fields left out keep their value; the lists given replace the current ones.' });

const weeklyRuleSchema = z.strictObject({
  weekday: z.number().int().min(1).max(7).meta({ description: '1 = Monday … 7 = Sunday' }),
  start: clock,
  end: endClock,
});
const overrideSchema = z.discriminatedUnion('kind', [
  z.strictObject({ date, kind: z.literal('day_off') }),
  z.strictObject({ date, kind: z.enum(['blocked', 'extra']), start: clock, end: endClock }),
]);

export const availabilitySchema = z
  .object({
    timeZone: z.string(),
    weeklyRules: z.array(weeklyRuleSchema),
    overrides: z.array(overrideSchema),
  })
  .meta({ id: 'Availability', description: 'Wall-clock times in the therapist’s time zone.' });

export const availabilityBodySchema = z.strictObject({
  weeklyRules: z.array(weeklyRuleSchema).max(AVAILABILITY_LIMITS.weeklyRules),
  overrides: z.array(overrideSchema).max(AVAILABILITY_LIMITS.overrides).default([]),
});

export const toAvailabilityJson = (a: Availability & { readonly timeZone: string }): z.input<typeof availabilitySchema> => ({
  timeZone: a.timeZone,
  weeklyRules: a.weeklyRules.map((r) => ({ ...r })),
  overrides: a.overrides.map((o) => ({ ...o })),
});

export const slotsSchema = z
  .object({
    therapistId: uuid,
    sessionTypeId: uuid,
    durationMinutes: z.number().int(),
    timeZone: z.string().meta({ description: 'The zone of `localStartsAt`/`localEndsAt`.' }),
    therapistTimeZone: z.string(),
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    slots: z.array(
      z.object({
        startsAt: z.iso.datetime(),
        endsAt: z.iso.datetime(),
        localStartsAt: z.string().meta({ example: '2026-03-29T09:00:00+02:00' }),
        localEndsAt: z.string(),
      }),
    ),
  })
  .meta({ id: 'Slots' });

export const toSlotsJson = (s: SlotsView): z.input<typeof slotsSchema> => ({
  therapistId: s.therapistId,
  sessionTypeId: s.sessionTypeId,
  durationMinutes: s.durationMinutes,
  timeZone: s.timeZone,
  therapistTimeZone: s.therapistTimeZone,
  from: s.from.toISOString(),
  to: s.to.toISOString(),
  slots: s.slots.map((slot) => ({ ...slot, startsAt: slot.startsAt.toISOString(), endsAt: slot.endsAt.toISOString() })),
});

export const slotsQuerySchema = z.strictObject({
  sessionTypeId: uuid,
  from: instant.optional().meta({ description: 'Default: now.' }),
  to: instant.optional().meta({ description: 'Default: seven days after `from`; at most THERAPY_SLOT_RANGE_MAX_DAYS after it.' }),
  timeZone: timeZoneSchema.optional().meta({ description: 'Zone of the local times; default: yours.' }),
});

// ── sessions ───────────────────────────────────────────────────────────────────────────────

const actorSchema = z.object({ role: z.enum(['patient', 'therapist', 'admin', 'system']), userId: uuid.nullable() });

export const sessionSchema = z
  .object({
    id: uuid,
    patientId: uuid,
    therapistId: uuid,
    sessionTypeId: uuid,
    modality,
    durationMinutes: z.number().int(),
    priceMinor: z.number().int(),
    currency: z.string(),
    startsAt: z.iso.datetime(),
    endsAt: z.iso.datetime(),
    status: z.enum(SESSION_STATUSES),
    version: z.number().int().meta({ description: '1 when booked; every change adds one.' }),
    bookedBy: actorSchema,
    cancellationNoticeMinutes: z.number().int(),
    noShowGraceMinutes: z.number().int(),
    rescheduleCount: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    cancelledAt: z.iso.datetime().nullable(),
    cancelledBy: actorSchema.nullable(),
    cancellationReason: z.enum(CANCELLATION_REASONS).nullable(),
    cancellationNote: z.string().nullable(),
    cancelledLate: z.boolean().meta({ description: 'Cancelled inside the cancellation notice.' }),
    noShowAt: z.iso.datetime().nullable(),
    feeApplies: z.boolean(),
    feeReason: z.enum(['late_cancellation', 'late_reschedule', 'no_show']).nullable(),
    feeWaivedAt: z.iso.datetime().nullable(),
    feeWaivedBy: actorSchema.nullable(),
    feeWaiverReason: z.enum(WAIVER_REASONS).nullable(),
    feeWaiverNote: z.string().nullable(),
  })
  .meta({ id: 'TherapySession', description: 'A booked appointment.' });

export const toSessionJson = (s: SessionView): z.input<typeof sessionSchema> => ({
  id: s.id,
  patientId: s.patientId,
  therapistId: s.therapistId,
  sessionTypeId: s.sessionTypeId,
  modality: s.modality,
  durationMinutes: s.durationMinutes,
  priceMinor: s.priceMinor,
  currency: s.currency,
  startsAt: s.startsAt.toISOString(),
  endsAt: s.endsAt.toISOString(),
  status: s.status,
  version: s.version,
  bookedBy: { ...s.bookedBy },
  cancellationNoticeMinutes: s.cancellationNoticeMinutes,
  noShowGraceMinutes: s.noShowGraceMinutes,
  rescheduleCount: s.rescheduleCount,
  createdAt: s.createdAt.toISOString(),
  updatedAt: s.updatedAt.toISOString(),
  startedAt: iso(s.startedAt),
  completedAt: iso(s.completedAt),
  cancelledAt: iso(s.cancelledAt),
  cancelledBy: s.cancelledBy === null ? null : { ...s.cancelledBy },
  cancellationReason: s.cancellationReason,
  cancellationNote: s.cancellationNote,
  cancelledLate: s.cancelledLate,
  noShowAt: iso(s.noShowAt),
  feeApplies: s.feeApplies,
  feeReason: s.feeReason,
  feeWaivedAt: iso(s.feeWaivedAt),
  feeWaivedBy: s.feeWaivedBy === null ? null : { ...s.feeWaivedBy },
  feeWaiverReason: s.feeWaiverReason,
  feeWaiverNote: s.feeWaiverNote,
});

export const bookBodySchema = z.strictObject({
  therapistId: uuid,
  sessionTypeId: uuid,
  startsAt: instant.meta({ description: 'One of the slot search’s `startsAt`.' }),
  patientId: uuid.optional().meta({ description: 'Admins book for a patient; a patient books for themselves.' }),
});

export const rescheduleBodySchema = z.strictObject({ startsAt: instant });
const note = text(0, 500).optional().meta({ description: 'Kept with the session for its parties; never in events or messages.' });
export const cancelBodySchema = z.strictObject({ reason: z.enum(CANCELLATION_REASONS), note });
export const waiveBodySchema = z.strictObject({ reason: z.enum(WAIVER_REASONS), note });

// ── calendar ───────────────────────────────────────────────────────────────────────────────

export const calendarTokenSchema = z
  .object({
    token: z.string().meta({ description: 'The secret in the feed’s address; shown once.' }),
    url: z.string().meta({ description: 'Subscribe to this address in a calendar app.' }),
    issuedAt: z.iso.datetime(),
  })
  .meta({ id: 'CalendarFeed' });

export const toCalendarTokenJson = (issued: IssuedCalendar): z.input<typeof calendarTokenSchema> => ({
  token: issued.token,
  url: issued.url,
  issuedAt: issued.issuedAt.toISOString(),
});
