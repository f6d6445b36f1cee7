import type { Availability, Modality, TherapistProfile } from '@aura/domain/therapy';
import type { Page } from '../../platform/pagination.js';

export interface TherapistListFilter {
  /** Lower-cased. */
  readonly specialty?: string | undefined;
  /** A canonical BCP 47 tag; `pt` also finds `pt-BR`. */
  readonly language?: string | undefined;
  readonly acceptingNewPatients?: boolean | undefined;
  /** Offers at least one session type of this modality. */
  readonly modality?: Modality | undefined;
}

/** A profile as stored: with whether it is listed (a deactivated therapist's is not). */
export interface StoredTherapist {
  readonly profile: TherapistProfile;
  readonly listed: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * Therapists' profiles and availability, one row per therapist in `therapy.therapists`. `lock`
 * (inside a unit of work) holds the row until it ends: bookings and reschedules of one therapist
 * take it, so the daily cap and the slot rules are checked against a calendar nobody else is
 * changing.
 */
export interface TherapistRepository {
  findById(therapistId: string, options?: { readonly lock?: boolean }): Promise<StoredTherapist | undefined>;
  /** Inserts or replaces the profile (availability and listing are kept). */
  save(profile: TherapistProfile, at: Date): Promise<void>;
  availability(therapistId: string): Promise<Availability>;
  /** Replaces the availability of a therapist whose profile exists (false when it does not). */
  saveAvailability(therapistId: string, availability: Availability, at: Date): Promise<boolean>;
  /** Hides a profile from the list (deactivated account) or shows it again. */
  setListed(therapistId: string, listed: boolean, at: Date): Promise<void>;
  /** Listed profiles, ordered by therapist id; `cursor` is the last id of the previous page. */
  list(
    filter: TherapistListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<StoredTherapist>>;
}
export const TherapistRepository = Symbol.for('aura.therapy.TherapistRepository');
