/**
 * The behaviour every therapy repository must have, run against the in-memory ones, PGlite and
 * PostgreSQL (not optional: without it the suite fails): profiles and availability, sessions
 * with the two exclusion constraints (also under concurrent inserts), and calendar tokens.
 */
import {
  type CalendarTokenStore,
  ConcurrentSessionModificationError,
  InMemoryCalendarTokenStore,
  InMemorySessionRepository,
  InMemoryTherapistRepository,
  type SessionRepository,
  type TherapistRepository,
} from '@aura/application/therapy';
import type { TherapySession } from '@aura/domain/therapy';
import { describe, expect, it } from 'vitest';
import { KyselyCalendarTokenStore } from '../../src/therapy/kysely-calendar-token.store.js';
import { KyselySessionRepository } from '../../src/therapy/kysely-session.repository.js';
import { KyselyTherapistRepository } from '../../src/therapy/kysely-therapist.repository.js';
import { at, contractTargets, ids, profile, scheduled, useContractTarget } from './therapy-test-support.js';

interface Harness {
  readonly therapists: TherapistRepository;
  readonly sessions: SessionRepository;
  readonly tokens: CalendarTokenStore;
  events(): Promise<Array<{ type: string; aggregateId: string }>>;
  unitOfWork<T>(work: () => Promise<T>): Promise<T>;
  /** Whether concurrent adds really run at once (PostgreSQL; PGlite and memory serialise them). */
  readonly parallel: boolean;
}

const targets = contractTargets<Harness>({
  inMemory: () => {
    const sessions = new InMemorySessionRepository();
    return {
      therapists: new InMemoryTherapistRepository(),
      sessions,
      tokens: new InMemoryCalendarTokenStore(),
      events: async () => sessions.published.map((e) => ({ type: e.type, aggregateId: e.aggregateId })),
      unitOfWork: (work) => work(),
      parallel: false,
    };
  },
  sql: (database) => ({
    therapists: new KyselyTherapistRepository(database.transactions),
    sessions: new KyselySessionRepository(database.transactions, database.outbox),
    tokens: new KyselyCalendarTokenStore(database.transactions),
    events: async () => (await database.outboxEvents()).map(({ type, aggregateId }) => ({ type, aggregateId })),
    unitOfWork: (work) => database.transactions.transaction(work),
    parallel: database.name === 'postgres',
  }),
});

describe.each(targets)('therapy repositories contract: $name', (target) => {
  let h: Harness;
  useContractTarget(target, (fresh) => {
    h = fresh;
  });

  describe('TherapistRepository', () => {
    it('saves, finds, replaces a profile (keeping availability and listing) and round-trips every field', async () => {
      const p = profile();
      await h.therapists.save(p, at('2026-11-20T10:00:00.000Z'));
      expect(await h.therapists.findById(p.therapistId)).toEqual({
        profile: p,
        listed: true,
        createdAt: at('2026-11-20T10:00:00.000Z'),
        updatedAt: at('2026-11-20T10:00:00.000Z'),
      });
      const availability = {
        weeklyRules: [{ weekday: 1 as const, start: '09:00', end: '17:00' }],
        overrides: [
          { date: '2026-12-24', kind: 'day_off' as const },
          { date: '2026-12-23', kind: 'extra' as const, start: '18:00', end: '24:00' },
        ],
      };
      expect(await h.therapists.saveAvailability(p.therapistId, availability, at('2026-11-20T11:00:00.000Z'))).toBe(true);
      await h.therapists.setListed(p.therapistId, false, at('2026-11-20T11:30:00.000Z'));
      const changed = { ...p, bio: 'new', acceptingNewPatients: false };
      await h.therapists.save(changed, at('2026-11-20T12:00:00.000Z'));
      expect(await h.therapists.findById(p.therapistId)).toMatchObject({
        profile: changed,
        listed: false,
        createdAt: at('2026-11-20T10:00:00.000Z'),
      });
      expect(await h.therapists.availability(p.therapistId)).toEqual(availability);
      expect(await h.unitOfWork(() => h.therapists.findById(p.therapistId, { lock: true }))).toBeDefined();
    });

    it('knows nothing of unknown or malformed ids', async () => {
      expect(await h.therapists.findById(ids.next())).toBeUndefined();
      expect(await h.therapists.findById('nope')).toBeUndefined();
      expect(await h.therapists.availability(ids.next())).toEqual({ weeklyRules: [], overrides: [] });
      expect(await h.therapists.availability('nope')).toEqual({ weeklyRules: [], overrides: [] });
      expect(await h.therapists.saveAvailability(ids.next(), { weeklyRules: [], overrides: [] }, new Date())).toBe(false);
      await h.therapists.setListed('nope', false, new Date());
    });

    it('lists listed profiles by id, filtered by specialty, language (with its regions), new patients and modality', async () => {
      const a = profile({ specialties: ['anxiety'], languages: ['pt-BR'] });
      const b = profile({
        specialties: ['couples'],
        languages: ['de'],
        acceptingNewPatients: false,
        sessionTypes: [{ ...profile().sessionTypes[0], modality: 'in_person' } as never],
      });
      const c = profile({ specialties: ['anxiety'], languages: ['en'] });
      const hidden = profile();
      for (const p of [a, b, c, hidden]) await h.therapists.save(p, new Date());
      await h.therapists.setListed(hidden.therapistId, false, new Date());
      const list = async (filter = {}, limit = 10, cursor?: string) => {
        const page = await h.therapists.list(filter, { limit, cursor });
        return { ids: page.items.map((i) => i.profile.therapistId), next: page.nextCursor };
      };
      expect((await list()).ids).toEqual([a, b, c].map((p) => p.therapistId));
      expect((await list({ specialty: 'anxiety' })).ids).toEqual([a.therapistId, c.therapistId]);
      expect((await list({ language: 'pt' })).ids).toEqual([a.therapistId]);
      expect((await list({ language: 'pt-br' })).ids).toEqual([a.therapistId]);
      expect((await list({ language: '%' })).ids).toEqual([]);
      expect((await list({ acceptingNewPatients: false })).ids).toEqual([b.therapistId]);
      expect((await list({ modality: 'in_person' })).ids).toEqual([b.therapistId]);
      expect((await list({ modality: 'video' })).ids).toEqual([a.therapistId, c.therapistId]);
      const first = await list({}, 2);
      expect(first).toEqual({ ids: [a.therapistId, b.therapistId], next: b.therapistId });
      expect(await list({}, 2, first.next as string)).toEqual({ ids: [c.therapistId], next: null });
      expect(await list({}, 2, 'nope')).toEqual({ ids: [], next: null });
    });
  });

  describe('SessionRepository', () => {
    const therapistId = '0190aaaa-0000-7000-8000-000000000001';

    it('adds a session with its event and round-trips every field', async () => {
      const s = scheduled({ therapistId, startsAt: '2026-12-01T09:00:00.000Z' });
      (await h.sessions.add(s))._unsafeUnwrap();
      const found = await h.sessions.findById(s.id);
      expect(found?.state).toEqual(s.state);
      expect(found?.persistedVersion).toBe(1);
      expect(await h.events()).toEqual([{ type: 'therapy_session.scheduled', aggregateId: s.id }]);
      expect(await h.sessions.findById('nope')).toBeUndefined();
      expect(await h.sessions.findById(ids.next())).toBeUndefined();
    });

    it('keeps a therapist’s sessions and their buffers apart; adjacent ranges and cancelled sessions do not clash', async () => {
      const first = scheduled({ therapistId, startsAt: '2026-12-01T09:00:00.000Z', bufferAfter: 10 });
      (await h.sessions.add(first))._unsafeUnwrap();
      // 09:50–10:00 is the first one's buffer.
      const inBuffer = await h.sessions.add(scheduled({ therapistId, startsAt: '2026-12-01T09:55:00.000Z', bufferAfter: 0 }));
      expect(inBuffer._unsafeUnwrapErr()).toEqual({
        type: 'therapy.session_conflict',
        message: expect.any(String),
        details: { with: 'therapist' },
      });
      (await h.sessions.add(scheduled({ therapistId, startsAt: '2026-12-01T10:00:00.000Z' })))._unsafeUnwrap();
      // Another therapist at the same time is fine.
      (await h.sessions.add(scheduled({ startsAt: '2026-12-01T09:00:00.000Z' })))._unsafeUnwrap();
      const loaded = (await h.sessions.findById(first.id)) as TherapySession;
      loaded
        .cancel({ role: 'patient', userId: loaded.state.patientId }, 'personal', 'note', at('2026-11-25T00:00:00.000Z'))
        ._unsafeUnwrap();
      (await h.sessions.save(loaded))._unsafeUnwrap();
      (await h.sessions.add(scheduled({ therapistId, startsAt: '2026-12-01T09:00:00.000Z', bufferAfter: 0 })))._unsafeUnwrap();
    });

    it('keeps one patient’s sessions apart whoever the therapist', async () => {
      const patientId = ids.next();
      (await h.sessions.add(scheduled({ patientId, startsAt: '2026-12-01T09:00:00.000Z' })))._unsafeUnwrap();
      const clash = await h.sessions.add(scheduled({ patientId, startsAt: '2026-12-01T09:30:00.000Z' }));
      expect(clash._unsafeUnwrapErr().details).toEqual({ with: 'patient' });
      expect(await h.events()).toHaveLength(1);
    });

    it('lets exactly one of twenty concurrent overlapping bookings in', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          h.sessions.add(scheduled({ therapistId, startsAt: `2026-12-02T09:${String(i).padStart(2, '0')}:00.000Z` })),
        ),
      );
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      expect(results.filter((r) => r.isErr()).every((r) => r._unsafeUnwrapErr().details.with === 'therapist')).toBe(true);
      expect((await h.events()).length).toBe(1);
    });

    it('moves a session in one save (a reschedule), refusing a taken range and a stale copy', async () => {
      const a = scheduled({ therapistId, startsAt: '2026-12-01T09:00:00.000Z' });
      const b = scheduled({ therapistId, startsAt: '2026-12-01T11:00:00.000Z' });
      (await h.sessions.add(a))._unsafeUnwrap();
      (await h.sessions.add(b))._unsafeUnwrap();
      const moving = (await h.sessions.findById(a.id)) as TherapySession;
      const stale = (await h.sessions.findById(a.id)) as TherapySession;
      const slot = (iso: string) => ({ startsAt: new Date(iso), endsAt: new Date(new Date(iso).getTime() + 50 * 60_000) });
      const by = { role: 'admin' as const, userId: ids.next() };
      moving
        .reschedule(
          slot('2026-12-01T11:30:00.000Z'),
          { ...a.state, bufferBeforeMinutes: 0, bufferAfterMinutes: 10 } as never,
          by,
          at('2026-11-25T00:00:00.000Z'),
        )
        ._unsafeUnwrap();
      const refused = await h.sessions.save(moving);
      expect(refused._unsafeUnwrapErr().details).toEqual({ with: 'therapist' });
      expect((await h.sessions.findById(a.id))?.state.startsAt).toEqual(new Date('2026-12-01T09:00:00.000Z'));
      const again = (await h.sessions.findById(a.id)) as TherapySession;
      again
        .reschedule(
          slot('2026-12-01T13:00:00.000Z'),
          { bufferBeforeMinutes: 0, bufferAfterMinutes: 10 } as never,
          by,
          at('2026-11-25T00:00:00.000Z'),
        )
        ._unsafeUnwrap();
      (await h.sessions.save(again))._unsafeUnwrap();
      expect((await h.sessions.findById(a.id))?.state).toMatchObject({
        version: 2,
        startsAt: new Date('2026-12-01T13:00:00.000Z'),
      });
      // Moving over its own old range (30 minutes later) conflicts with nothing but itself: allowed.
      const nudged = (await h.sessions.findById(a.id)) as TherapySession;
      nudged
        .reschedule(
          slot('2026-12-01T13:30:00.000Z'),
          { bufferBeforeMinutes: 0, bufferAfterMinutes: 10 } as never,
          by,
          at('2026-11-25T00:00:00.000Z'),
        )
        ._unsafeUnwrap();
      (await h.sessions.save(nudged))._unsafeUnwrap();
      expect((await h.sessions.findById(a.id))?.state.version).toBe(3);
      stale.cancel(by, 'other', null, at('2026-11-25T00:00:00.000Z'))._unsafeUnwrap();
      expect(stale.persistedVersion).toBe(1);
      await expect(h.sessions.save(stale)).rejects.toBeInstanceOf(ConcurrentSessionModificationError);
      // The old time is free again for someone else.
      (await h.sessions.add(scheduled({ therapistId, startsAt: '2026-12-01T09:00:00.000Z' })))._unsafeUnwrap();
    });

    it('answers the queries: by start with keyset paging, booked ranges, history, future sessions, calendars', async () => {
      const patientId = ids.next();
      const early = scheduled({ therapistId, patientId, startsAt: '2026-12-01T09:00:00.000Z' });
      const late = scheduled({ therapistId, startsAt: '2026-12-03T09:00:00.000Z' });
      const other = scheduled({ patientId, startsAt: '2026-12-02T09:00:00.000Z' });
      for (const s of [late, early, other]) (await h.sessions.add(s))._unsafeUnwrap();
      const cancelled = (await h.sessions.findById(late.id)) as TherapySession;
      cancelled
        .cancel({ role: 'system', userId: null }, 'therapist_unavailable', null, at('2026-11-25T00:00:00.000Z'))
        ._unsafeUnwrap();
      (await h.sessions.save(cancelled))._unsafeUnwrap();
      const list = async (filter = {}, limit = 10, cursor?: string) => {
        const page = await h.sessions.list(filter, { limit, cursor });
        return { ids: page.items.map((s) => s.id), next: page.nextCursor };
      };
      expect((await list()).ids).toEqual([early.id, other.id, late.id]);
      expect((await list({ patientId })).ids).toEqual([early.id, other.id]);
      expect((await list({ therapistId, status: 'cancelled' })).ids).toEqual([late.id]);
      expect((await list({ from: at('2026-12-02T00:00:00.000Z'), to: at('2026-12-03T00:00:00.000Z') })).ids).toEqual([other.id]);
      expect(await list({}, 1)).toEqual({ ids: [early.id], next: early.id });
      expect(await list({}, 1, early.id)).toEqual({ ids: [other.id], next: other.id });
      expect(await list({}, 1, ids.next())).toEqual({ ids: [], next: null });
      expect(await list({ patientId: 'nope' })).toEqual({ ids: [], next: null });
      const booked = await h.sessions.bookedOf(therapistId, at('2026-11-30T00:00:00.000Z'), at('2026-12-05T00:00:00.000Z'));
      expect(booked).toEqual([
        { startsAt: early.state.startsAt, blockedFrom: early.state.blockedFrom, blockedUntil: early.state.blockedUntil },
      ]);
      expect(
        await h.sessions.bookedOf(therapistId, at('2026-11-30T00:00:00.000Z'), at('2026-12-05T00:00:00.000Z'), early.id),
      ).toEqual([]);
      expect(await h.sessions.bookedOf(therapistId, at('2026-12-01T09:59:59.999Z'), at('2026-12-02T00:00:00.000Z'))).toHaveLength(
        1,
      );
      expect(await h.sessions.bookedOf(therapistId, at('2026-12-01T10:00:00.000Z'), at('2026-12-02T00:00:00.000Z'))).toHaveLength(
        0,
      );
      expect(await h.sessions.hasHistory(patientId, therapistId)).toBe(true);
      expect(await h.sessions.hasHistory(late.state.patientId, therapistId)).toBe(false);
      expect(await h.sessions.futureScheduledOf(patientId, at('2026-12-01T12:00:00.000Z'))).toEqual([other.id]);
      expect(await h.sessions.futureScheduledOf(therapistId, at('2026-11-01T00:00:00.000Z'))).toEqual([early.id]);
      expect(
        (await h.sessions.calendarOf(patientId, at('2026-11-01T00:00:00.000Z'), at('2027-01-01T00:00:00.000Z'))).map((s) => s.id),
      ).toEqual([early.id, other.id]);
      expect(
        await h.sessions.calendarOf(late.state.patientId, at('2026-11-01T00:00:00.000Z'), at('2027-01-01T00:00:00.000Z')),
      ).toEqual([]);
    });
  });

  describe('CalendarTokenStore', () => {
    it('issues one token per user, replaces it, finds the user by its hash and revokes it', async () => {
      const user = ids.next();
      await h.tokens.issue(user, 'hash-1', at('2026-11-20T10:00:00.000Z'));
      expect(await h.tokens.findUser('hash-1')).toBe(user);
      expect(await h.tokens.issuedAt(user)).toEqual(at('2026-11-20T10:00:00.000Z'));
      await h.tokens.issue(user, 'hash-2', at('2026-11-21T10:00:00.000Z'));
      expect(await h.tokens.findUser('hash-1')).toBeUndefined();
      expect(await h.tokens.findUser('hash-2')).toBe(user);
      expect(await h.tokens.issuedAt(user)).toEqual(at('2026-11-21T10:00:00.000Z'));
      expect(await h.tokens.revoke(user)).toBe(true);
      expect(await h.tokens.revoke(user)).toBe(false);
      expect(await h.tokens.findUser('hash-2')).toBeUndefined();
      expect(await h.tokens.issuedAt(user)).toBeUndefined();
      expect(await h.tokens.issuedAt('nope')).toBeUndefined();
      expect(await h.tokens.revoke('nope')).toBe(false);
    });
  });
});
