import type { Aura } from '@aura/adapters/platform';
import { type Actor, MAX_PAGE_SIZE } from '@aura/application/platform';
import {
  BookSession,
  CancelSession,
  CompleteSession,
  FindSlots,
  GetAvailability,
  GetCalendarFeed,
  GetCalendarTokenStatus,
  GetSession,
  GetTherapist,
  IssueCalendarToken,
  ListSessions,
  ListTherapists,
  MarkNoShow,
  RescheduleSession,
  RevokeCalendarToken,
  type SessionView,
  SetAvailability,
  SetUpTherapistProfile,
  StartSession,
  WaiveFee,
} from '@aura/application/therapy';
import { type DomainError, isWellFormedText } from '@aura/domain/platform';
import { MODALITIES, SESSION_STATUSES } from '@aura/domain/therapy';
import { ok, type ResultAsync } from 'neverthrow';
import { z } from 'zod';
import type { HttpApi } from '../platform/http-api.js';
import type { HttpModule } from '../platform/http-module.js';
import {
  availabilityBodySchema,
  availabilitySchema,
  bookBodySchema,
  calendarTokenSchema,
  cancelBodySchema,
  languageTagSchema,
  profileBodySchema,
  rescheduleBodySchema,
  sessionSchema,
  slotsQuerySchema,
  slotsSchema,
  therapistSchema,
  toAvailabilityJson,
  toCalendarTokenJson,
  toSessionJson,
  toSlotsJson,
  toTherapistJson,
  waiveBodySchema,
} from './therapy.schemas.js';

const PREFIX = '/api/mental-health';
const therapistTags = ['Therapists'];
const sessionTags = ['Therapy sessions'];
const calendarTags = ['Calendar'];
const idParams = z.object({ id: z.uuid().transform((id) => id.toLowerCase()) });
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const limit = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50);
const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

const therapistNotFound = { 'therapy.therapist_not_found': { status: 404, description: 'No such therapist profile.' } } as const;
const sessionNotFound = {
  'therapy.session_not_found': { status: 404, description: 'No such session, or not yours.' },
} as const;
const slotErrors = {
  'therapy.slot_unavailable': {
    status: 409,
    description:
      'The time cannot be booked; `details.reason` says why: `taken`, `outside_availability`, `inside_notice`, `past_horizon`, `daily_cap` or `patient_busy`.',
  },
} as const;
const transitionErrors = {
  ...sessionNotFound,
  'therapy.invalid_transition': { status: 409, description: 'The session’s status does not allow this.' },
  'therapy.action_not_allowed': { status: 403, description: 'Your role in this session does not allow this.' },
} as const;

function registerTherapistRoutes(api: HttpApi, aura: Aura): void {
  api.route({
    method: 'get',
    path: `${PREFIX}/therapists`,
    operationId: 'listTherapists',
    summary: 'Find therapists',
    description:
      'Listed therapists in a stable order, filtered by specialty, language (`pt` also finds `pt-BR`), whether they take new patients, and modality. Page with `cursor` = the previous page’s `nextCursor`.',
    tags: therapistTags,
    auth: true,
    request: {
      query: z.strictObject({
        specialty: z
          .string()
          .min(1)
          .max(60)
          .refine(isWellFormedText, { error: 'must be text without NUL or lone surrogates' })
          .optional(),
        language: languageTagSchema.optional(),
        acceptingNewPatients: z
          .enum(['true', 'false'])
          .transform((value) => value === 'true')
          .optional(),
        modality: z.enum(MODALITIES).optional(),
        limit,
        cursor: z.uuid().optional(),
      }),
    },
    success: { status: 200, description: 'A page of therapists.', schema: page(therapistSchema) },
    handler: async ({ query }) => {
      const result = await (await aura.get(ListTherapists)).execute({ ...query, cursor: query.cursor?.toLowerCase() });
      return ok({ items: result.items.map(toTherapistJson), nextCursor: result.nextCursor });
    },
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/therapists/me`,
    operationId: 'getMyTherapistProfile',
    summary: 'My therapist profile',
    tags: therapistTags,
    auth: ['therapist'],
    success: { status: 200, description: 'Your profile.', schema: therapistSchema },
    errors: therapistNotFound,
    handler: async ({ actor }) => (await aura.get(GetTherapist)).execute(actor, actor.userId).map(toTherapistJson),
  });

  api.route({
    method: 'put',
    path: `${PREFIX}/therapists/me`,
    operationId: 'setUpTherapistProfile',
    summary: 'Set up or change my therapist profile',
    description:
      'Bio, specialties, languages, whether you take new patients, your time zone, your session types (name, minutes, modality, price in minor units and ISO 4217 currency) and your booking policy (defaults for what you leave out). Sessions already booked keep the type and policy they were booked with.',
    tags: therapistTags,
    auth: ['therapist'],
    request: { body: profileBodySchema },
    examples: {
      profile: {
        summary: 'A profile with two session types and a stricter policy',
        value: {
          bio: 'Cognitive behavioural approaches for anxiety and sleep.',
          specialties: ['anxiety', 'insomnia'],
          languages: ['en', 'pt-BR'],
          acceptingNewPatients: true,
          timeZone: 'Europe/Berlin',
          sessionTypes: [
            { name: 'Intake', durationMinutes: 60, modality: 'video', priceMinor: 12000, currency: 'EUR' },
            { name: 'Follow-up', durationMinutes: 50, modality: 'in_person', priceMinor: 9000, currency: 'EUR' },
          ],
          policy: { bufferAfterMinutes: 15, cancellationNoticeMinutes: 1440 },
        },
      },
      pause: { summary: 'Stop taking new patients', value: { timeZone: 'Europe/Berlin', acceptingNewPatients: false } },
    },
    success: { status: 200, description: 'Your profile now.', schema: therapistSchema },
    errors: {
      'therapy.invalid_profile': { status: 422, description: 'A field breaks a rule of the profile.' },
      'therapy.invalid_time_zone': { status: 422, description: 'Not an IANA time zone.' },
    },
    handler: async ({ actor, body }) => (await aura.get(SetUpTherapistProfile)).execute(actor, body).map(toTherapistJson),
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/therapists/me/availability`,
    operationId: 'getMyAvailability',
    summary: 'My availability',
    tags: therapistTags,
    auth: ['therapist'],
    success: { status: 200, description: 'Weekly rules and date overrides, on your wall clock.', schema: availabilitySchema },
    errors: therapistNotFound,
    handler: async ({ actor }) => (await aura.get(GetAvailability)).execute(actor).map(toAvailabilityJson),
  });

  api.route({
    method: 'put',
    path: `${PREFIX}/therapists/me/availability`,
    operationId: 'setMyAvailability',
    summary: 'Replace my availability',
    description:
      'Weekly rules (weekday, start, end on your wall clock; several per day, not overlapping) and date overrides: a `day_off`, a `blocked` range taken out, an `extra` range added. Across a daylight-saving change a rule keeps its wall-clock times; a time the clock skips offers no slot, one it shows twice is offered once.',
    tags: therapistTags,
    auth: ['therapist'],
    request: { body: availabilityBodySchema },
    examples: {
      week: {
        summary: 'Weekday mornings and Wednesday afternoons, a day off and an extra Saturday',
        value: {
          weeklyRules: [
            { weekday: 1, start: '09:00', end: '12:00' },
            { weekday: 3, start: '09:00', end: '12:00' },
            { weekday: 3, start: '14:00', end: '18:00' },
            { weekday: 5, start: '09:00', end: '12:00' },
          ],
          overrides: [
            { date: '2026-12-24', kind: 'day_off' },
            { date: '2026-12-19', kind: 'extra', start: '10:00', end: '13:00' },
          ],
        },
      },
    },
    success: { status: 200, description: 'Your availability now.', schema: availabilitySchema },
    errors: {
      ...therapistNotFound,
      'therapy.invalid_availability': {
        status: 422,
        description: 'A rule or override is not valid (end before start, overlap…).',
      },
    },
    handler: async ({ actor, body }) => (await aura.get(SetAvailability)).execute(actor, body).map(toAvailabilityJson),
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/therapists/:id`,
    operationId: 'getTherapist',
    summary: 'A therapist',
    tags: therapistTags,
    auth: true,
    request: { params: idParams },
    success: { status: 200, description: 'The therapist’s profile.', schema: therapistSchema },
    errors: therapistNotFound,
    handler: async ({ actor, params }) => (await aura.get(GetTherapist)).execute(actor, params.id).map(toTherapistJson),
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/therapists/:id/slots`,
    operationId: 'findSlots',
    summary: 'Bookable times',
    description:
      'The start times that can be booked for one session type in [from, to): UTC instants, and their wall-clock time in `timeZone` (default: yours). Offered times follow the therapist’s availability on their own wall clock, less notice, horizon, daily cap and the sessions already booked (with buffers).',
    tags: therapistTags,
    auth: true,
    request: { params: idParams, query: slotsQuerySchema },
    success: { status: 200, description: 'The bookable times, soonest first.', schema: slotsSchema },
    errors: {
      ...therapistNotFound,
      'therapy.session_type_not_found': { status: 404, description: 'The therapist offers no such session type.' },
      'therapy.invalid_range': { status: 422, description: '`to` is not after `from`, or the range is too long.' },
      'therapy.invalid_time_zone': { status: 422, description: 'Not an IANA time zone.' },
    },
    handler: async ({ actor, params, query }) =>
      (await aura.get(FindSlots))
        .execute({
          actor,
          therapistId: params.id,
          sessionTypeId: query.sessionTypeId,
          from: date(query.from),
          to: date(query.to),
          timeZone: query.timeZone,
        })
        .map(toSlotsJson),
  });
}

function registerSessionRoutes(api: HttpApi, aura: Aura): void {
  api.route({
    method: 'post',
    path: `${PREFIX}/therapy-sessions`,
    operationId: 'bookTherapySession',
    summary: 'Book a session',
    description:
      'A patient books for themselves, an admin for a patient. The database holds the invariant (a therapist’s sessions with their buffers, and a patient’s, never overlap): of any number of concurrent requests for one time, one gets `201`, the others `409 therapy.slot_unavailable`. Send an `Idempotency-Key` to retry safely.',
    tags: sessionTags,
    auth: ['patient', 'admin'],
    idempotent: true,
    request: { body: bookBodySchema },
    examples: {
      patient: {
        summary: 'A patient books a slot the search offered',
        value: {
          therapistId: '0190aaaa-bbbb-7ccc-8ddd-000000000010',
          sessionTypeId: '0190aaaa-bbbb-7ccc-8ddd-000000000020',
          startsAt: '2026-12-14T09:00:00+01:00',
        },
      },
    },
    success: { status: 201, description: 'The session, scheduled.', schema: sessionSchema },
    errors: {
      ...slotErrors,
      ...therapistNotFound,
      'therapy.session_type_not_found': { status: 404, description: 'The therapist offers no such session type.' },
      'therapy.patient_required': { status: 422, description: 'An admin must name the patient.' },
      'therapy.patient_not_found': { status: 404, description: 'No such patient.' },
      'therapy.not_a_patient': { status: 422, description: 'The account booked for is not a patient.' },
      'therapy.patient_inactive': { status: 409, description: 'The patient’s account is not active.' },
      'therapy.therapist_unavailable': { status: 409, description: 'The therapist’s account is not active.' },
      'therapy.not_accepting_patients': { status: 409, description: 'The therapist takes no new patients.' },
      'platform.forbidden': { status: 403, description: 'A patient books for themselves only.' },
    },
    handler: async ({ actor, body }) =>
      (await aura.get(BookSession))
        .execute({
          actor,
          therapistId: body.therapistId,
          sessionTypeId: body.sessionTypeId,
          startsAt: new Date(body.startsAt),
          patientId: body.patientId,
        })
        .map(toSessionJson),
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/therapy-sessions`,
    operationId: 'listTherapySessions',
    summary: 'List sessions',
    description:
      'In order of start. A patient sees theirs, a therapist theirs; an admin filters by patient, therapist, status and start (`from` inclusive, `to` exclusive).',
    tags: sessionTags,
    auth: true,
    request: {
      query: z.strictObject({
        patientId: z.uuid().optional(),
        therapistId: z.uuid().optional(),
        status: z.enum(SESSION_STATUSES).optional(),
        from: z.iso.datetime({ offset: true }).optional(),
        to: z.iso.datetime({ offset: true }).optional(),
        limit,
        cursor: z.uuid().optional(),
      }),
    },
    success: { status: 200, description: 'A page of sessions.', schema: page(sessionSchema) },
    handler: async ({ actor, query }) => {
      const result = await (await aura.get(ListSessions)).execute({
        actor,
        ...query,
        cursor: query.cursor?.toLowerCase(),
        from: date(query.from),
        to: date(query.to),
      });
      return ok({ items: result.items.map(toSessionJson), nextCursor: result.nextCursor });
    },
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/therapy-sessions/:id`,
    operationId: 'getTherapySession',
    summary: 'A session',
    description: 'Its patient, its therapist and admins only (anyone else gets a 404).',
    tags: sessionTags,
    auth: true,
    request: { params: idParams },
    success: { status: 200, description: 'The session.', schema: sessionSchema },
    errors: sessionNotFound,
    handler: async ({ actor, params }) => (await aura.get(GetSession)).execute(actor, params.id).map(toSessionJson),
  });

  api.route({
    method: 'post',
    path: `${PREFIX}/therapy-sessions/:id/reschedule`,
    operationId: 'rescheduleTherapySession',
    summary: 'Move a session',
    description:
      'To another bookable time of the same therapist and type; `version` goes up by one. Inside the cancellation notice it is late, and a patient’s late move makes the fee apply. Reminders move with it.',
    tags: sessionTags,
    auth: true,
    request: { params: idParams, body: rescheduleBodySchema },
    examples: { later: { summary: 'Another slot the search offered', value: { startsAt: '2026-12-16T14:00:00Z' } } },
    success: { status: 200, description: 'The session at its new time.', schema: sessionSchema },
    errors: { ...transitionErrors, ...slotErrors, ...therapistNotFound },
    handler: async ({ actor, params, body }) =>
      (await aura.get(RescheduleSession))
        .execute({ actor, sessionId: params.id, startsAt: new Date(body.startsAt) })
        .map(toSessionJson),
  });

  api.route({
    method: 'post',
    path: `${PREFIX}/therapy-sessions/:id/cancel`,
    operationId: 'cancelTherapySession',
    summary: 'Cancel a session',
    description:
      'By its patient, its therapist or an admin, with a reason code (and an optional note kept with the session). Inside the cancellation notice it is `cancelledLate`; a patient’s late cancellation makes the fee apply.',
    tags: sessionTags,
    auth: true,
    request: { params: idParams, body: cancelBodySchema },
    examples: {
      patient: { summary: 'The patient cannot make it', value: { reason: 'schedule_conflict', note: 'Travelling that week.' } },
    },
    success: { status: 200, description: 'The session, cancelled.', schema: sessionSchema },
    errors: { ...transitionErrors, 'therapy.invalid_note': { status: 422, description: 'The note is not valid text.' } },
    handler: async ({ actor, params, body }) =>
      (await aura.get(CancelSession))
        .execute({ actor, sessionId: params.id, reason: body.reason, note: body.note })
        .map(toSessionJson),
  });

  type Step = { execute(input: { actor: Actor; sessionId: string }): ResultAsync<SessionView, DomainError> };
  const step = (path: string, operationId: string, summary: string, description: string, useCase: () => Promise<Step>) =>
    api.route({
      method: 'post',
      path: `${PREFIX}/therapy-sessions/:id/${path}`,
      operationId,
      summary,
      description,
      tags: sessionTags,
      auth: ['therapist', 'admin'],
      request: { params: idParams },
      success: { status: 200, description: 'The session now.', schema: sessionSchema },
      errors: {
        ...transitionErrors,
        'therapy.too_early': { status: 409, description: 'Too early for this (`details.notBefore`).' },
      },
      handler: async ({ actor, params }) => (await useCase()).execute({ actor, sessionId: params.id }).map(toSessionJson),
    });
  step('start', 'startTherapySession', 'Start a session', 'Its therapist or an admin, from 15 minutes before its start.', () =>
    aura.get(StartSession),
  );
  step('complete', 'completeTherapySession', 'Complete a session', 'Its therapist or an admin, once started.', () =>
    aura.get(CompleteSession),
  );
  step(
    'no-show',
    'markTherapySessionNoShow',
    'Record a no-show',
    'Its therapist or an admin, once the no-show grace period after the start has passed; the fee applies.',
    () => aura.get(MarkNoShow),
  );

  api.route({
    method: 'post',
    path: `${PREFIX}/therapy-sessions/:id/waive-fee`,
    operationId: 'waiveTherapySessionFee',
    summary: 'Waive a late-cancellation or no-show fee',
    description: 'Its therapist or an admin, with a reason code (and a note); recorded with who and when.',
    tags: sessionTags,
    auth: ['therapist', 'admin'],
    request: { params: idParams, body: waiveBodySchema },
    examples: { emergency: { summary: 'A family emergency', value: { reason: 'emergency', note: 'Called the day before.' } } },
    success: { status: 200, description: 'The session, its fee waived.', schema: sessionSchema },
    errors: {
      ...transitionErrors,
      'therapy.no_fee_to_waive': { status: 409, description: 'No fee applies, or it was already waived.' },
      'therapy.invalid_note': { status: 422, description: 'The note is not valid text.' },
    },
    handler: async ({ actor, params, body }) =>
      (await aura.get(WaiveFee))
        .execute({ actor, sessionId: params.id, reason: body.reason, note: body.note })
        .map(toSessionJson),
  });
}

function registerCalendarRoutes(api: HttpApi, aura: Aura): void {
  const notFound = { 'therapy.calendar_not_found': { status: 404, description: 'No calendar feed.' } } as const;
  api.route({
    method: 'get',
    path: `${PREFIX}/calendar/token`,
    operationId: 'getCalendarFeedStatus',
    summary: 'Whether I have a calendar feed',
    tags: calendarTags,
    auth: true,
    success: {
      status: 200,
      description: 'When its address was issued (the secret is not shown again).',
      schema: z.object({ issuedAt: z.iso.datetime() }),
    },
    errors: notFound,
    handler: async ({ actor }) =>
      (await aura.get(GetCalendarTokenStatus)).execute(actor).map(({ issuedAt }) => ({ issuedAt: issuedAt.toISOString() })),
  });

  api.route({
    method: 'post',
    path: `${PREFIX}/calendar/token`,
    operationId: 'issueCalendarFeed',
    summary: 'Create or rotate my calendar feed address',
    description:
      'A secret address (calendar apps send no headers) for an iCalendar feed of your sessions, titled "Appointment". Asking again replaces it: the old address stops working.',
    tags: calendarTags,
    auth: true,
    success: { status: 201, description: 'The new address; the secret is shown this once.', schema: calendarTokenSchema },
    handler: async ({ actor }) => ok(toCalendarTokenJson(await (await aura.get(IssueCalendarToken)).execute(actor))),
  });

  api.route({
    method: 'delete',
    path: `${PREFIX}/calendar/token`,
    operationId: 'revokeCalendarFeed',
    summary: 'Revoke my calendar feed address',
    tags: calendarTags,
    auth: true,
    success: { status: 204, description: 'Revoked.' },
    errors: notFound,
    handler: async ({ actor }) => (await aura.get(RevokeCalendarToken)).execute(actor),
  });

  api.route({
    method: 'get',
    path: `${PREFIX}/calendar/:token.ics`,
    operationId: 'getCalendarFeed',
    summary: 'My sessions as iCalendar',
    description:
      'RFC 5545, for calendar apps: every session (as patient or therapist) not cancelled, from THERAPY_CALENDAR_PAST_DAYS back to THERAPY_CALENDAR_FUTURE_DAYS ahead, titled "Appointment" with a link, no names.',
    tags: calendarTags,
    request: {
      params: z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { error: 'must be a calendar feed token' }) }),
    },
    success: {
      status: 200,
      description: 'The iCalendar document.',
      schema: z.string(),
      contentType: 'text/calendar; charset=utf-8',
    },
    errors: notFound,
    handler: async ({ params, res }) => {
      res.set('Cache-Control', 'private, max-age=300');
      return (await aura.get(GetCalendarFeed)).execute(params.token);
    },
  });
}

export const therapyHttpModule: HttpModule = {
  module: 'therapy',
  register(api, aura) {
    registerTherapistRoutes(api, aura);
    registerSessionRoutes(api, aura);
    registerCalendarRoutes(api, aura);
  },
};
