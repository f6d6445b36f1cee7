import type { DomainEvent } from '@aura/domain/platform';
import { ACTIVE_STATUSES, type BookedSession, type SessionState, TherapySession } from '@aura/domain/therapy';
import { err, ok, type Result } from 'neverthrow';
import { type Page, pageOf } from '../../platform/pagination.js';
import {
  ConcurrentSessionModificationError,
  type SessionConflict,
  type SessionListFilter,
  type SessionRepository,
  sessionConflict,
} from '../ports/session.repository.port.js';

/** Where the repository hands the events sessions record (the outbox port's shape). */
export interface SessionEventSink {
  append(module: string, events: readonly DomainEvent[]): Promise<void>;
}

const copy = (state: SessionState): SessionState => structuredClone(state);
const active = (state: SessionState) => ACTIVE_STATUSES.includes(state.status);
const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from < b.to && b.from < a.to;
const blocked = (s: SessionState) => ({ from: s.blockedFrom.getTime(), to: s.blockedUntil.getTime() });
const held = (s: SessionState) => ({ from: s.startsAt.getTime(), to: s.endsAt.getTime() });
const byStart = (a: SessionState, b: SessionState) =>
  a.startsAt.getTime() - b.startsAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * A SessionRepository in a Map, with the SQL adapter's rules: the two exclusion constraints
 * (a therapist's active sessions with their buffers, and a patient's, never overlap),
 * optimistic concurrency on `version`, lists by start. Every event an added or saved session
 * recorded is appended to `published` and, when given, to `outbox`.
 */
export class InMemorySessionRepository implements SessionRepository {
  readonly #sessions = new Map<string, SessionState>();
  readonly published: DomainEvent[] = [];

  constructor(private readonly outbox?: SessionEventSink) {}

  #conflict(state: SessionState): SessionConflict | undefined {
    if (!active(state)) return undefined;
    for (const other of this.#sessions.values()) {
      if (other.id === state.id || !active(other)) continue;
      if (other.therapistId === state.therapistId && overlaps(blocked(other), blocked(state)))
        return sessionConflict('therapist');
      if (other.patientId === state.patientId && overlaps(held(other), held(state))) return sessionConflict('patient');
    }
    return undefined;
  }

  async add(session: TherapySession): Promise<Result<void, SessionConflict>> {
    const state = session.state;
    if (this.#sessions.has(state.id)) throw new Error(`session ${state.id} already exists`);
    const conflict = this.#conflict(state);
    if (conflict !== undefined) return err(conflict);
    this.#sessions.set(state.id, copy(state));
    await this.#publish(session.pullEvents());
    return ok(undefined);
  }

  async findById(id: string): Promise<TherapySession | undefined> {
    const state = this.#sessions.get(id.toLowerCase());
    return state === undefined ? undefined : TherapySession.restore(copy(state));
  }

  async save(session: TherapySession): Promise<Result<void, SessionConflict>> {
    const state = session.state;
    const stored = this.#sessions.get(state.id);
    if (stored === undefined || stored.version !== session.persistedVersion)
      throw new ConcurrentSessionModificationError(state.id);
    const conflict = this.#conflict(state);
    if (conflict !== undefined) return err(conflict);
    this.#sessions.set(state.id, copy(state));
    await this.#publish(session.pullEvents());
    return ok(undefined);
  }

  async list(
    filter: SessionListFilter,
    page: { readonly limit: number; readonly cursor?: string | undefined },
  ): Promise<Page<SessionState>> {
    const after = page.cursor === undefined ? undefined : this.#sessions.get(page.cursor.toLowerCase());
    if (page.cursor !== undefined && after === undefined) return { items: [], nextCursor: null };
    const matching = [...this.#sessions.values()]
      .filter(
        (s) =>
          (filter.patientId === undefined || s.patientId === filter.patientId) &&
          (filter.therapistId === undefined || s.therapistId === filter.therapistId) &&
          (filter.status === undefined || s.status === filter.status) &&
          (filter.from === undefined || s.startsAt >= filter.from) &&
          (filter.to === undefined || s.startsAt < filter.to) &&
          (after === undefined || byStart(s, after) > 0),
      )
      .sort(byStart);
    return pageOf(matching.slice(0, page.limit + 1), page.limit, copy);
  }

  async bookedOf(therapistId: string, from: Date, to: Date, except?: string): Promise<BookedSession[]> {
    return [...this.#sessions.values()]
      .filter(
        (s) =>
          s.therapistId === therapistId &&
          active(s) &&
          s.id !== except &&
          overlaps(blocked(s), { from: from.getTime(), to: to.getTime() }),
      )
      .sort(byStart)
      .map((s) => ({
        startsAt: new Date(s.startsAt),
        blockedFrom: new Date(s.blockedFrom),
        blockedUntil: new Date(s.blockedUntil),
      }));
  }

  async hasHistory(patientId: string, therapistId: string): Promise<boolean> {
    return [...this.#sessions.values()].some(
      (s) => s.patientId === patientId && s.therapistId === therapistId && s.status !== 'cancelled',
    );
  }

  async futureScheduledOf(userId: string, now: Date): Promise<string[]> {
    return [...this.#sessions.values()]
      .filter((s) => (s.patientId === userId || s.therapistId === userId) && s.status === 'scheduled' && s.startsAt > now)
      .sort(byStart)
      .map((s) => s.id);
  }

  async calendarOf(userId: string, from: Date, to: Date): Promise<SessionState[]> {
    return [...this.#sessions.values()]
      .filter(
        (s) =>
          (s.patientId === userId || s.therapistId === userId) &&
          s.status !== 'cancelled' &&
          s.startsAt >= from &&
          s.startsAt < to,
      )
      .sort(byStart)
      .map(copy);
  }

  async #publish(events: readonly DomainEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.published.push(...events);
    await this.outbox?.append('therapy', events);
  }
}
