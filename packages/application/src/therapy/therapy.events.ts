import { CANCELLATION_REASONS, MODALITIES, WAIVER_REASONS } from '@aura/domain/therapy';
import { z } from 'zod';
import { defineIntegrationEvent } from '../platform/events/integration-event.js';

const instant = z.iso.datetime({ offset: true });
const actor = z.strictObject({ role: z.enum(['patient', 'therapist', 'admin', 'system']), userId: z.uuid().nullable() });
const feeReason = z.enum(['late_cancellation', 'late_reschedule', 'no_show']);

/**
 * What every session event carries: enough for a billing module to charge from the event alone
 * (ids, times, the session type, price in minor units and currency, who acted, late and fee
 * flags) and the session's `version` after the change, so a consumer that sees events out of
 * order keeps the highest. No names, notes or free text.
 */
const facts = {
  sessionId: z.uuid(),
  version: z.number().int().min(1),
  status: z.enum(['scheduled', 'started', 'completed', 'cancelled', 'no_show']),
  patientId: z.uuid(),
  therapistId: z.uuid(),
  sessionTypeId: z.uuid(),
  modality: z.enum(MODALITIES),
  durationMinutes: z.number().int().positive(),
  startsAt: instant,
  endsAt: instant,
  priceMinor: z.number().int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/),
};

export const sessionScheduled = defineIntegrationEvent({
  type: 'therapy_session.scheduled',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({ ...facts, bookedBy: actor }),
});
export const sessionRescheduled = defineIntegrationEvent({
  type: 'therapy_session.rescheduled',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({
    ...facts,
    previousStartsAt: instant,
    previousEndsAt: instant,
    rescheduledBy: actor,
    late: z.boolean(),
    feeApplies: z.boolean(),
    feeReason: feeReason.nullable(),
  }),
});
export const sessionStarted = defineIntegrationEvent({
  type: 'therapy_session.started',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({ ...facts, startedAt: instant, startedBy: actor }),
});
export const sessionCompleted = defineIntegrationEvent({
  type: 'therapy_session.completed',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({ ...facts, completedAt: instant, completedBy: actor }),
});
export const sessionCancelled = defineIntegrationEvent({
  type: 'therapy_session.cancelled',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({
    ...facts,
    cancelledAt: instant,
    cancelledBy: actor,
    reason: z.enum(CANCELLATION_REASONS),
    late: z.boolean(),
    feeApplies: z.boolean(),
    feeReason: feeReason.nullable(),
  }),
});
export const sessionNoShow = defineIntegrationEvent({
  type: 'therapy_session.no_show',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({
    ...facts,
    markedAt: instant,
    markedBy: actor,
    feeApplies: z.literal(true),
    feeReason: z.literal('no_show'),
  }),
});
export const sessionFeeWaived = defineIntegrationEvent({
  type: 'therapy_session.fee_waived',
  version: 1,
  sourceModule: 'therapy',
  schema: z.strictObject({
    ...facts,
    waivedAt: instant,
    waivedBy: actor,
    waiverReason: z.enum(WAIVER_REASONS),
    feeReason,
  }),
});

export const therapyEvents = [
  sessionScheduled,
  sessionRescheduled,
  sessionStarted,
  sessionCompleted,
  sessionCancelled,
  sessionNoShow,
  sessionFeeWaived,
];

/** The session events' wire names (each handler of "any session change" subscribes to all). */
export const SESSION_EVENT_TYPES = therapyEvents.map((event) => event.type);
