import type { Page } from '@aura/application/platform';
import type { StoredTherapist, TherapistListFilter, TherapistRepository } from '@aura/application/therapy';
import { type Availability, EMPTY_AVAILABILITY, type TherapistProfile, type ZoneName } from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import { TransactionManager } from '../platform/db/transactions.js';
import type { TherapistRow, TherapyDb } from './therapy.tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toStored(row: TherapistRow): StoredTherapist {
  return {
    profile: {
      therapistId: row.therapist_id,
      bio: row.bio,
      specialties: row.specialties,
      languages: row.languages,
      acceptingNewPatients: row.accepting_new_patients,
      timeZone: row.time_zone as ZoneName,
      sessionTypes: row.session_types,
      policy: row.policy,
    },
    listed: row.listed,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function profileColumns(profile: TherapistProfile) {
  return {
    bio: profile.bio,
    specialties: [...profile.specialties],
    languages: [...profile.languages],
    accepting_new_patients: profile.acceptingNewPatients,
    time_zone: profile.timeZone,
    session_types: JSON.stringify(profile.sessionTypes),
    policy: JSON.stringify(profile.policy),
  };
}

/** Profiles and availability in `therapy.therapists`, one row per therapist (a lock on it serialises their bookings). */
@injectable()
export class KyselyTherapistRepository implements TherapistRepository {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<TherapyDb>();
  }

  async findById(therapistId: string, options: { readonly lock?: boolean } = {}): Promise<StoredTherapist | undefined> {
    if (!UUID.test(therapistId)) return undefined;
    let query = this.db.selectFrom('therapy.therapists').selectAll().where('therapist_id', '=', therapistId);
    if (options.lock === true) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : toStored(row);
  }

  async save(profile: TherapistProfile, at: Date): Promise<void> {
    await this.db
      .insertInto('therapy.therapists')
      .values({ therapist_id: profile.therapistId, created_at: at, updated_at: at, ...profileColumns(profile) })
      .onConflict((oc) => oc.column('therapist_id').doUpdateSet({ ...profileColumns(profile), updated_at: at }))
      .execute();
  }

  async availability(therapistId: string): Promise<Availability> {
    if (!UUID.test(therapistId)) return EMPTY_AVAILABILITY;
    const row = await this.db
      .selectFrom('therapy.therapists')
      .select(['weekly_rules', 'overrides'])
      .where('therapist_id', '=', therapistId)
      .executeTakeFirst();
    return row === undefined ? EMPTY_AVAILABILITY : { weeklyRules: row.weekly_rules, overrides: row.overrides };
  }

  async saveAvailability(therapistId: string, availability: Availability, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('therapy.therapists')
      .set({
        weekly_rules: JSON.stringify(availability.weeklyRules),
        overrides: JSON.stringify(availability.overrides),
        updated_at: at,
      })
      .where('therapist_id', '=', therapistId)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setListed(therapistId: string, listed: boolean, at: Date): Promise<void> {
    if (!UUID.test(therapistId)) return;
    await this.db
      .updateTable('therapy.therapists')
      .set({ listed, updated_at: at })
      .where('therapist_id', '=', therapistId)
      .execute();
  }

  async list(
    filter: TherapistListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<StoredTherapist>> {
    if (page.cursor !== undefined && !UUID.test(page.cursor)) return { items: [], nextCursor: null };
    let query = this.db
      .selectFrom('therapy.therapists')
      .selectAll()
      .where('listed', '=', true)
      .orderBy('therapist_id')
      .limit(page.limit + 1);
    if (filter.specialty !== undefined) query = query.where(sql<boolean>`specialties @> ARRAY[${filter.specialty}]::text[]`);
    if (filter.language !== undefined) {
      const language = filter.language.toLowerCase();
      query = query.where(
        sql<boolean>`EXISTS (SELECT 1 FROM unnest(languages) l WHERE lower(l) = ${language} OR lower(l) LIKE ${`${language.replace(/[%_\\]/g, '\\$&')}-%`})`,
      );
    }
    if (filter.acceptingNewPatients !== undefined)
      query = query.where('accepting_new_patients', '=', filter.acceptingNewPatients);
    if (filter.modality !== undefined)
      query = query.where(sql<boolean>`session_types @> ${JSON.stringify([{ modality: filter.modality }])}::jsonb`);
    if (page.cursor !== undefined) query = query.where('therapist_id', '>', page.cursor);
    const rows = await query.execute();
    const items = rows.slice(0, page.limit).map(toStored);
    return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.profile.therapistId ?? null) : null };
  }
}
