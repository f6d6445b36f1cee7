import { type DomainError, domainError } from '../platform/domain-error.js';
import type { SessionStatus } from './therapy-session.types.js';

/** Input that breaks a rule of a profile, a session type, a policy or availability; `details.field` names the field. */
export type InvalidProfile = DomainError<'therapy.invalid_profile'>;
export type InvalidAvailability = DomainError<'therapy.invalid_availability'>;
export type InvalidTimeZone = DomainError<'therapy.invalid_time_zone'>;

/** Why a time cannot be booked. */
export type SlotUnavailableReason =
  | 'taken'
  | 'outside_availability'
  | 'inside_notice'
  | 'past_horizon'
  | 'daily_cap'
  | 'patient_busy';
export type SlotUnavailable = DomainError<'therapy.slot_unavailable'> & {
  readonly details: { readonly reason: SlotUnavailableReason };
};

export type InvalidTransition = DomainError<'therapy.invalid_transition'>;
/** The actor's role may not do this to a session (a patient marking a no-show). */
export type ActionNotAllowed = DomainError<'therapy.action_not_allowed'>;
/** Too early for this transition (starting a session long before it, a no-show before the grace period ends). */
export type TooEarly = DomainError<'therapy.too_early'>;
export type NoFeeToWaive = DomainError<'therapy.no_fee_to_waive'>;

const REASON_TEXT: Readonly<Record<SlotUnavailableReason, string>> = {
  taken: 'the time is no longer free',
  outside_availability: 'the therapist does not offer this time',
  inside_notice: 'the time is inside the minimum booking notice',
  past_horizon: 'the time is beyond the booking horizon',
  daily_cap: 'the therapist has reached their most sessions for that day',
  patient_busy: 'the patient already has a session at that time',
};

export const therapyErrors = {
  invalidProfile: (field: string, message: string): InvalidProfile => domainError('therapy.invalid_profile', message, { field }),
  invalidAvailability: (field: string, message: string): InvalidAvailability =>
    domainError('therapy.invalid_availability', message, { field }),
  invalidTimeZone: (field: string): InvalidTimeZone =>
    domainError('therapy.invalid_time_zone', 'must be an IANA time zone name such as Europe/Paris or UTC', { field }),
  slotUnavailable: (reason: SlotUnavailableReason): SlotUnavailable => ({
    type: 'therapy.slot_unavailable',
    message: `this time cannot be booked: ${REASON_TEXT[reason]}`,
    details: { reason },
  }),
  invalidTransition: (from: SessionStatus, action: string): InvalidTransition =>
    domainError('therapy.invalid_transition', `a ${from} session cannot be ${action}`, { from, action }),
  actionNotAllowed: (role: string, action: string): ActionNotAllowed =>
    domainError('therapy.action_not_allowed', `a ${role} cannot ${action} a session`, { role, action }),
  tooEarly: (action: string, notBefore: Date): TooEarly =>
    domainError('therapy.too_early', `the session cannot be ${action} before ${notBefore.toISOString()}`, {
      notBefore: notBefore.toISOString(),
    }),
  noFeeToWaive: (): NoFeeToWaive => domainError('therapy.no_fee_to_waive', 'no fee applies to this session, or it was waived'),
};
