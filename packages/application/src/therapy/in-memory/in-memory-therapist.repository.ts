import { type Availability, EMPTY_AVAILABILITY, type TherapistProfile } from '@aura/domain/therapy';
import type { Page } from '../../platform/pagination.js';
import type { StoredTherapist, TherapistListFilter, TherapistRepository } from '../ports/therapist.repository.port.js';

interface Row extends StoredTherapist {
  readonly availability: Availability;
}

const copy = (profile: TherapistProfile): TherapistProfile => structuredClone(profile);

/** A TherapistRepository in a Map, with the SQL adapter's filters and order. `lock` has nothing to lock here. */
export class InMemoryTherapistRepository implements TherapistRepository {
  readonly #rows = new Map<string, Row>();

  async findById(therapistId: string): Promise<StoredTherapist | undefined> {
    const row = this.#rows.get(therapistId.toLowerCase());
    return row === undefined
      ? undefined
      : { profile: copy(row.profile), listed: row.listed, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  async save(profile: TherapistProfile, at: Date): Promise<void> {
    const row = this.#rows.get(profile.therapistId);
    this.#rows.set(profile.therapistId, {
      profile: copy(profile),
      listed: row?.listed ?? true,
      availability: row?.availability ?? EMPTY_AVAILABILITY,
      createdAt: row?.createdAt ?? at,
      updatedAt: at,
    });
  }

  async availability(therapistId: string): Promise<Availability> {
    return structuredClone(this.#rows.get(therapistId.toLowerCase())?.availability ?? EMPTY_AVAILABILITY);
  }

  async saveAvailability(therapistId: string, availability: Availability, at: Date): Promise<boolean> {
    const row = this.#rows.get(therapistId);
    if (row === undefined) return false;
    this.#rows.set(therapistId, { ...row, availability: structuredClone(availability), updatedAt: at });
    return true;
  }

  async setListed(therapistId: string, listed: boolean, at: Date): Promise<void> {
    const row = this.#rows.get(therapistId);
    if (row !== undefined) this.#rows.set(therapistId, { ...row, listed, updatedAt: at });
  }

  async list(
    filter: TherapistListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<StoredTherapist>> {
    const language = filter.language?.toLowerCase();
    const matching = [...this.#rows.values()]
      .filter(
        ({ profile, listed }) =>
          listed &&
          (filter.specialty === undefined || profile.specialties.includes(filter.specialty)) &&
          (language === undefined ||
            profile.languages.some((l) => l.toLowerCase() === language || l.toLowerCase().startsWith(`${language}-`))) &&
          (filter.acceptingNewPatients === undefined || profile.acceptingNewPatients === filter.acceptingNewPatients) &&
          (filter.modality === undefined || profile.sessionTypes.some((t) => t.modality === filter.modality)) &&
          (page.cursor === undefined || profile.therapistId > page.cursor.toLowerCase()),
      )
      .sort(
        (a, b) => Number(a.profile.therapistId > b.profile.therapistId) - Number(a.profile.therapistId < b.profile.therapistId),
      );
    const items = matching.slice(0, page.limit).map(({ profile, listed, createdAt, updatedAt }) => ({
      profile: copy(profile),
      listed,
      createdAt,
      updatedAt,
    }));
    return { items, nextCursor: matching.length > page.limit ? (items.at(-1)?.profile.therapistId ?? null) : null };
  }
}
