import type { DomainError } from '@aura/domain/platform';

export type SessionNotFound = DomainError<'therapy.session_not_found'>;
export type TherapistNotFound = DomainError<'therapy.therapist_not_found'>;
export type SessionTypeNotFound = DomainError<'therapy.session_type_not_found'>;
export type PatientNotFound = DomainError<'therapy.patient_not_found'>;
export type PatientInactive = DomainError<'therapy.patient_inactive'>;
export type NotAPatient = DomainError<'therapy.not_a_patient'>;
export type PatientRequired = DomainError<'therapy.patient_required'>;
export type TherapistUnavailable = DomainError<'therapy.therapist_unavailable'>;
export type NotAcceptingPatients = DomainError<'therapy.not_accepting_patients'>;
export type InvalidRange = DomainError<'therapy.invalid_range'>;
export type CalendarNotFound = DomainError<'therapy.calendar_not_found'>;

/** Errors of the therapy use cases (the domain's own are in @aura/domain/therapy). */
export const therapyAppErrors = {
  sessionNotFound: (id: string): SessionNotFound => ({ type: 'therapy.session_not_found', message: `there is no session ${id}` }),
  therapistNotFound: (id: string): TherapistNotFound => ({
    type: 'therapy.therapist_not_found',
    message: `there is no therapist profile ${id}`,
  }),
  sessionTypeNotFound: (id: string): SessionTypeNotFound => ({
    type: 'therapy.session_type_not_found',
    message: `the therapist offers no session type ${id}`,
    details: { field: 'sessionTypeId' },
  }),
  patientNotFound: (id: string): PatientNotFound => ({
    type: 'therapy.patient_not_found',
    message: `there is no patient ${id}`,
    details: { field: 'patientId' },
  }),
  patientInactive: (): PatientInactive => ({
    type: 'therapy.patient_inactive',
    message: 'the patient’s account is not active (unverified or deactivated)',
  }),
  notAPatient: (): NotAPatient => ({
    type: 'therapy.not_a_patient',
    message: 'sessions are booked for accounts with the patient role',
    details: { field: 'patientId' },
  }),
  patientRequired: (): PatientRequired => ({
    type: 'therapy.patient_required',
    message: 'an admin books for a patient: send patientId',
    details: { field: 'patientId' },
  }),
  therapistUnavailable: (): TherapistUnavailable => ({
    type: 'therapy.therapist_unavailable',
    message: 'the therapist’s account is not active',
  }),
  notAcceptingPatients: (): NotAcceptingPatients => ({
    type: 'therapy.not_accepting_patients',
    message: 'the therapist is not accepting new patients',
  }),
  invalidRange: (field: string, message: string): InvalidRange => ({
    type: 'therapy.invalid_range',
    message,
    details: { field },
  }),
  calendarNotFound: (): CalendarNotFound => ({ type: 'therapy.calendar_not_found', message: 'no calendar has this address' }),
};
