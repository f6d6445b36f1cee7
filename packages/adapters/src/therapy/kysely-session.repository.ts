import { Outbox, type Page, pageOf } from '@aura/application/platform';
import {
  ConcurrentSessionModificationError,
  type SessionConflict,
  type SessionListFilter,
  type SessionRepository,
  sessionConflict,
} from '@aura/application/therapy';
import { type BookedSession, type SessionState, TherapySession } from '@aura/domain/therapy';
import { inject, injectable } from 'inversify';
import { sql } from 'kysely';
import { err, ok, type Result } from 'neverthrow';
import { TransactionManager } from '../platform/db/transactions.js';
import type { SessionRow, TherapyDb } from './therapy.tables.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The exclusion constraints of migration 2026_12_04_000000_therapy_initial, by whom they protect. */
const CONSTRAINTS: Readonly<Record<string, 'therapist' | 'patient'>> = {
  sessions_therapist_no_overlap: 'therapist',
  sessions_patient_no_overlap: 'patient',
};

/** An exclusion violation (SQLSTATE 23P01) of one of ours; PGlite's errors are no instance of pg's DatabaseError, so by shape. */
function conflictOf(error: unknown): SessionConflict | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  if (code !== '23P01' || typeof constraint !== 'string') return undefined;
  const withWhom = CONSTRAINTS[constraint];
  return withWhom === undefined ? undefined : sessionConflict(withWhom);
}

function toState(row: SessionRow): SessionState {
  return {
    id: row.id,
    patientId: row.patient_id,
    therapistId: row.therapist_id,
    sessionTypeId: row.session_type_id,
    modality: row.modality,
    durationMinutes: row.duration_minutes,
    priceMinor: row.price_minor,
    currency: row.currency,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    blockedFrom: row.blocked_from,
    blockedUntil: row.blocked_until,
    cancellationNoticeMinutes: row.cancellation_notice_minutes,
    noShowGraceMinutes: row.no_show_grace_minutes,
    status: row.status,
    version: row.version,
    bookedBy: row.booked_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    rescheduleCount: row.reschedule_count,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    cancelledAt: row.cancelled_at,
    cancelledBy: row.cancelled_by,
    cancellationReason: row.cancellation_reason,
    cancellationNote: row.cancellation_note,
    cancelledLate: row.cancelled_late,
    noShowAt: row.no_show_at,
    feeApplies: row.fee_applies,
    feeReason: row.fee_reason,
    feeWaivedAt: row.fee_waived_at,
    feeWaivedBy: row.fee_waived_by,
    feeWaiverReason: row.fee_waiver_reason,
    feeWaiverNote: row.fee_waiver_note,
  };
}

const json = (value: unknown) => (value === null ? null : JSON.stringify(value));

/** The columns a save may change (everything but the id and the creation time). */
function changeableColumns(s: SessionState) {
  return {
    patient_id: s.patientId,
    therapist_id: s.therapistId,
    session_type_id: s.sessionTypeId,
    modality: s.modality,
    duration_minutes: s.durationMinutes,
    price_minor: s.priceMinor,
    currency: s.currency,
    starts_at: s.startsAt,
    ends_at: s.endsAt,
    blocked_from: s.blockedFrom,
    blocked_until: s.blockedUntil,
    cancellation_notice_minutes: s.cancellationNoticeMinutes,
    no_show_grace_minutes: s.noShowGraceMinutes,
    status: s.status,
    version: s.version,
    booked_by: JSON.stringify(s.bookedBy),
    updated_at: s.updatedAt,
    reschedule_count: s.rescheduleCount,
    started_at: s.startedAt,
    completed_at: s.completedAt,
    cancelled_at: s.cancelledAt,
    cancelled_by: json(s.cancelledBy),
    cancellation_reason: s.cancellationReason,
    cancellation_note: s.cancellationNote,
    cancelled_late: s.cancelledLate,
    no_show_at: s.noShowAt,
    fee_applies: s.feeApplies,
    fee_reason: s.feeReason,
    fee_waived_at: s.feeWaivedAt,
    fee_waived_by: json(s.feeWaivedBy),
    fee_waiver_reason: s.feeWaiverReason,
    fee_waiver_note: s.feeWaiverNote,
  };
}

/**
 * Sessions in `therapy.sessions`, their events in the outbox in the same transaction. Inserts
 * and updates run in a savepoint: an exclusion violation (23P01) undoes only that statement and
 * comes back as a SessionConflict, so the caller's transaction (and its idempotency record)
 * stays usable. Optimistic concurrency on `version`.
 */
@injectable()
export class KyselySessionRepository implements SessionRepository {
  constructor(
    @inject(TransactionManager) private readonly transactions: TransactionManager,
    @inject(Outbox) private readonly outbox: Outbox,
  ) {}

  private get db() {
    return this.transactions.executor<TherapyDb>();
  }

  async #guarded(write: () => Promise<void>): Promise<Result<void, SessionConflict>> {
    try {
      await this.transactions.transaction(write);
      return ok(undefined);
    } catch (error) {
      const conflict = conflictOf(error);
      if (conflict === undefined) throw error;
      return err(conflict);
    }
  }

  add(session: TherapySession): Promise<Result<void, SessionConflict>> {
    const state = session.state;
    return this.#guarded(async () => {
      await this.db
        .insertInto('therapy.sessions')
        .values({ id: state.id, created_at: state.createdAt, ...changeableColumns(state) })
        .execute();
      await this.outbox.append('therapy', session.pullEvents());
    });
  }

  async findById(id: string, options: { readonly lock?: boolean } = {}): Promise<TherapySession | undefined> {
    if (!UUID.test(id)) return undefined;
    let query = this.db.selectFrom('therapy.sessions').selectAll().where('id', '=', id);
    if (options.lock === true) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : TherapySession.restore(toState(row));
  }

  save(session: TherapySession): Promise<Result<void, SessionConflict>> {
    const state = session.state;
    return this.#guarded(async () => {
      const result = await this.db
        .updateTable('therapy.sessions')
        .set(changeableColumns(state))
        .where('id', '=', state.id)
        .where('version', '=', session.persistedVersion)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) throw new ConcurrentSessionModificationError(state.id);
      await this.outbox.append('therapy', session.pullEvents());
    });
  }

  async list(
    filter: SessionListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<SessionState>> {
    const ids = [filter.patientId, filter.therapistId, page.cursor].filter((id) => id !== undefined);
    if (ids.some((id) => !UUID.test(id))) return { items: [], nextCursor: null };
    let query = this.db
      .selectFrom('therapy.sessions')
      .selectAll()
      .orderBy('starts_at')
      .orderBy('id')
      .limit(page.limit + 1);
    if (filter.patientId !== undefined) query = query.where('patient_id', '=', filter.patientId);
    if (filter.therapistId !== undefined) query = query.where('therapist_id', '=', filter.therapistId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.from !== undefined) query = query.where('starts_at', '>=', filter.from);
    if (filter.to !== undefined) query = query.where('starts_at', '<', filter.to);
    if (page.cursor !== undefined) {
      // Keyset: after the cursor's (start, id); an unknown cursor compares with NULL and matches nothing.
      query = query.where(
        sql<boolean>`(starts_at, id) > (SELECT c.starts_at, c.id FROM therapy.sessions c WHERE c.id = ${page.cursor})`,
      );
    }
    return pageOf(await query.execute(), page.limit, toState);
  }

  async bookedOf(therapistId: string, from: Date, to: Date, except?: string): Promise<BookedSession[]> {
    let query = this.db
      .selectFrom('therapy.sessions')
      .select(['starts_at', 'blocked_from', 'blocked_until'])
      .where('therapist_id', '=', therapistId)
      .where('status', '<>', 'cancelled')
      .where('blocked_from', '<', to)
      .where('blocked_until', '>', from)
      .orderBy('starts_at');
    if (except !== undefined) query = query.where('id', '<>', except);
    const rows = await query.execute();
    return rows.map((row) => ({ startsAt: row.starts_at, blockedFrom: row.blocked_from, blockedUntil: row.blocked_until }));
  }

  async hasHistory(patientId: string, therapistId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('therapy.sessions')
      .select('id')
      .where('patient_id', '=', patientId)
      .where('therapist_id', '=', therapistId)
      .where('status', '<>', 'cancelled')
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async futureScheduledOf(userId: string, now: Date): Promise<string[]> {
    const rows = await this.db
      .selectFrom('therapy.sessions')
      .select('id')
      .where((eb) => eb.or([eb('patient_id', '=', userId), eb('therapist_id', '=', userId)]))
      .where('status', '=', 'scheduled')
      .where('starts_at', '>', now)
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async calendarOf(userId: string, from: Date, to: Date): Promise<SessionState[]> {
    const rows = await this.db
      .selectFrom('therapy.sessions')
      .selectAll()
      .where((eb) => eb.or([eb('patient_id', '=', userId), eb('therapist_id', '=', userId)]))
      .where('status', '<>', 'cancelled')
      .where('starts_at', '>=', from)
      .where('starts_at', '<', to)
      .orderBy('starts_at')
      .orderBy('id')
      .execute();
    return rows.map(toState);
  }
}
