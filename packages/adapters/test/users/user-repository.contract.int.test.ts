/**
 * The behaviour every UserRepository must have, run against the in-memory repository, PGlite
 * and PostgreSQL (not optional: without it the suite fails).
 */
import { ConcurrentUserModificationError, InMemoryUserRepository, type UserRepository } from '@aura/application/users';
import type { DomainEvent } from '@aura/domain/platform';
import { type Email, type Locale, User, type UserRole, type UserState, type UserStatus } from '@aura/domain/users';
import { beforeEach, describe, expect, it } from 'vitest';
import { KyselyUserRepository } from '../../src/users/kysely-user.repository.js';
import { contractTargets, ids, registeredUser, sleep, useContractTarget, userState } from './users-test-support.js';

interface Harness {
  readonly repo: UserRepository;
  /** Events handed to the outbox so far, in order. */
  events(): Promise<Array<{ type: string; aggregateId: string }>>;
}

const targets = contractTargets<Harness>({
  inMemory: () => {
    const appended: DomainEvent[] = [];
    const repo = new InMemoryUserRepository({ append: async (_module, events) => void appended.push(...events) });
    return {
      repo,
      events: async () => {
        // What the outbox received is what the repository kept.
        expect(repo.published).toEqual(appended);
        return appended.map((e) => ({ type: e.type, aggregateId: e.aggregateId }));
      },
    };
  },
  sql: (database) => ({
    repo: new KyselyUserRepository(database.transactions, database.outbox),
    events: async () => (await database.outboxEvents()).map(({ type, aggregateId }) => ({ type, aggregateId })),
  }),
});

describe.each(targets)('UserRepository contract: $name', (target) => {
  let repo: UserRepository;
  let events: Harness['events'];
  const backEnd = useContractTarget(target, (fresh) => {
    ({ repo, events } = fresh);
  });

  const add = async (user: User) => (await repo.add(user))._unsafeUnwrap();

  it('returns every field of an added user as it was (state and dates equal)', async () => {
    const full = userState({
      role: 'therapist',
      status: 'deactivated',
      emailVerifiedAt: new Date('2026-11-20T10:11:12.345Z'),
      deactivatedAt: new Date('2026-11-21T01:02:03.004Z'),
      sessionsRevokedAt: new Date('2026-11-21T01:02:03.004Z'),
      updatedAt: new Date('2026-11-21T01:02:03.004Z'),
      version: 3,
    });
    await add(User.restore(full));
    const registered = registeredUser('grace@example.com', 'patient');
    const registeredState = registered.state;
    await add(registered);

    const found = await repo.findById(full.id);
    expect(found).toBeInstanceOf(User);
    expect(found?.state).toEqual(full);
    expect(found?.state.emailVerifiedAt?.getTime()).toBe(full.emailVerifiedAt?.getTime());
    expect(found?.state.createdAt.getTime()).toBe(full.createdAt.getTime());
    expect((await repo.findById(registered.id))?.state).toEqual(registeredState);
    expect((await repo.findByEmail(registeredState.email))?.state).toEqual(registeredState);
    // A loaded user has recorded nothing.
    expect(found?.pullEvents()).toEqual([]);
  });

  it('finds nobody for an unknown or malformed id, or an unknown address', async () => {
    await add(registeredUser('known@example.com'));
    expect(await repo.findById(ids.next())).toBeUndefined();
    expect(await repo.findById('not-a-uuid')).toBeUndefined();
    expect(await repo.findByEmail('unknown@example.com' as Email)).toBeUndefined();
  });

  it('finds a user by email whatever the case of either spelling', async () => {
    const user = registeredUser('Mixed.Case@Example.com');
    await add(user);
    expect((await repo.findByEmail('mixed.case@example.com' as Email))?.id).toBe(user.id);
    expect((await repo.findByEmail('MIXED.CASE@EXAMPLE.COM' as Email, { forUpdate: true }))?.id).toBe(user.id);
    expect((await repo.findById(user.id, { forUpdate: true }))?.state.email).toBe('Mixed.Case@Example.com');
  });

  it('refuses an address already taken in another case as users.email_taken, keeping the first account', async () => {
    const first = registeredUser('taken@example.com');
    await add(first);
    const second = registeredUser('TAKEN@Example.COM');
    const result = await repo.add(second);
    expect(result.isErr()).toBe(true);
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'users.email_taken',
      message: 'an account with this email address already exists',
      details: { field: 'email' },
    });
    expect(await repo.findById(second.id)).toBeUndefined();
    expect((await repo.findByEmail('taken@example.com' as Email))?.id).toBe(first.id);
    expect(await events()).toEqual([{ type: 'user.registered', aggregateId: first.id }]);
  });

  it('appends the events a user recorded, on add and on save', async () => {
    const user = registeredUser('events@example.com');
    await add(user);
    expect(await events()).toEqual([{ type: 'user.registered', aggregateId: user.id }]);

    const loaded = await repo.findById(user.id, { forUpdate: true });
    if (loaded === undefined) throw new Error('not found');
    loaded.verifyEmail(new Date('2026-11-22T11:00:00Z'))._unsafeUnwrap();
    loaded.updateProfile({ locale: 'de-DE' as Locale }, new Date('2026-11-22T11:00:01Z'));
    await repo.save(loaded);
    expect(await events()).toEqual([
      { type: 'user.registered', aggregateId: user.id },
      { type: 'user.email_verified', aggregateId: user.id },
      { type: 'user.updated', aggregateId: user.id },
    ]);
    // A save with nothing recorded appends nothing.
    const again = await repo.findById(user.id);
    if (again === undefined) throw new Error('not found');
    again.revokeSessions(new Date('2026-11-22T12:00:00Z'));
    await repo.save(again);
    expect(await events()).toHaveLength(3);
  });

  it('saves the changes and bumps the version; a second save of a stale copy throws', async () => {
    const user = registeredUser('versions@example.com');
    await add(user);
    const mine = await repo.findById(user.id);
    const theirs = await repo.findById(user.id);
    if (mine === undefined || theirs === undefined) throw new Error('not found');
    expect(mine.state.version).toBe(0);

    mine.verifyEmail(new Date('2026-11-22T11:00:00.001Z'))._unsafeUnwrap();
    await repo.save(mine);
    const saved = await repo.findById(user.id);
    expect(saved?.state).toEqual({ ...mine.state, version: 1 });
    // The aggregate keeps the version it was loaded with: load, change, save once.
    expect(mine.state.version).toBe(0);

    theirs.deactivate(new Date('2026-11-22T11:00:00.002Z'), null, 'spam')._unsafeUnwrap();
    const stale = repo.save(theirs);
    await expect(stale).rejects.toBeInstanceOf(ConcurrentUserModificationError);
    await expect(stale).rejects.toMatchObject({ userId: user.id });
    expect((await repo.findById(user.id))?.state).toEqual({ ...mine.state, version: 1 });
    // The refused save appended nothing.
    expect((await events()).map((e) => e.type)).toEqual(['user.registered', 'user.email_verified']);

    const reloaded = await repo.findById(user.id);
    if (reloaded === undefined) throw new Error('not found');
    reloaded.deactivate(new Date('2026-11-22T11:00:00.003Z'), null, 'spam')._unsafeUnwrap();
    await repo.save(reloaded);
    expect((await repo.findById(user.id))?.state).toMatchObject({ status: 'deactivated', version: 2 });
  });

  it('refuses to save a user that was never added', async () => {
    await expect(repo.save(User.restore(userState()))).rejects.toBeInstanceOf(ConcurrentUserModificationError);
  });

  describe('list', () => {
    const population: Array<[UserRole, UserStatus]> = [
      ['patient', 'active'],
      ['therapist', 'active'],
      ['patient', 'pending_verification'],
      ['admin', 'active'],
      ['patient', 'active'],
      ['therapist', 'deactivated'],
      ['patient', 'deactivated'],
      ['patient', 'active'],
      ['therapist', 'pending_verification'],
      ['patient', 'active'],
    ];
    let all: UserState[];

    beforeEach(async () => {
      all = population.map(([role, status]) => userState({ role, status }));
      // Added out of order: the list is ordered by id, not by insertion.
      for (const state of [...all].reverse()) await add(User.restore(state));
    });

    async function pages(filter: { role?: UserRole; status?: UserStatus }, limit: number) {
      const seen: UserState[][] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page += 1) {
        const result = await repo.list({ ...filter, limit, ...(cursor === undefined ? {} : { cursor }) });
        seen.push([...result.items]);
        if (result.nextCursor === null) return seen;
        expect(result.nextCursor).toBe(result.items.at(-1)?.id);
        cursor = result.nextCursor;
      }
      throw new Error('paging did not end');
    }

    it('returns every user in id order, one page at a time, without duplicates or gaps', async () => {
      const seen = await pages({}, 3);
      expect(seen.map((p) => p.length)).toEqual([3, 3, 3, 1]);
      expect(seen.flat()).toEqual(all);
    });

    it('ends with a null cursor when the last page is exactly full', async () => {
      const seen = await pages({}, 5);
      expect(seen.map((p) => p.length)).toEqual([5, 5]);
      expect(seen.flat().map((u) => u.id)).toEqual(all.map((u) => u.id));
    });

    it('filters by role, by status and by both', async () => {
      const expected = (role?: UserRole, status?: UserStatus) =>
        all.filter((u) => (role === undefined || u.role === role) && (status === undefined || u.status === status));
      expect((await pages({ role: 'patient' }, 2)).flat()).toEqual(expected('patient'));
      expect((await pages({ status: 'active' }, 2)).flat()).toEqual(expected(undefined, 'active'));
      expect((await pages({ role: 'therapist', status: 'pending_verification' }, 2)).flat()).toEqual(
        expected('therapist', 'pending_verification'),
      );
      expect(await repo.list({ role: 'admin', status: 'deactivated', limit: 10 })).toEqual({ items: [], nextCursor: null });
    });
  });

  if (target.name !== 'in-memory') {
    it('writes nothing, events included, when the unit of work rolls back', async () => {
      const sql = backEnd.sql;
      if (sql === undefined) throw new Error('no database');
      const user = registeredUser('rolled-back@example.com');
      await expect(
        sql.transactions.transaction(async () => {
          (await repo.add(user))._unsafeUnwrap();
          expect(await repo.findById(user.id)).toBeDefined();
          throw new Error('the use case failed');
        }),
      ).rejects.toThrow('the use case failed');
      expect(await repo.findById(user.id)).toBeUndefined();
      expect(await events()).toEqual([]);
    });

    it('undoes only the refused insert of a taken address inside a unit of work', async () => {
      const sql = backEnd.sql;
      if (sql === undefined) throw new Error('no database');
      const first = registeredUser('first@example.com');
      const other = registeredUser('other@example.com');
      await sql.transactions.transaction(async () => {
        (await repo.add(first))._unsafeUnwrap();
        expect((await repo.add(registeredUser('FIRST@example.com')))._unsafeUnwrapErr().type).toBe('users.email_taken');
        // The transaction is still usable after the refusal.
        (await repo.add(other))._unsafeUnwrap();
      });
      expect((await repo.findById(first.id))?.id).toBe(first.id);
      expect((await repo.findById(other.id))?.id).toBe(other.id);
      expect(await events()).toEqual([
        { type: 'user.registered', aggregateId: first.id },
        { type: 'user.registered', aggregateId: other.id },
      ]);
    });

    it('rethrows a failure that is not a taken address (a duplicate id)', async () => {
      const user = registeredUser('dup-id@example.com');
      await add(user);
      await expect(repo.add(registeredUser('another@example.com', 'patient', user.id))).rejects.toMatchObject({ code: '23505' });
    });
  }

  if (target.name === 'postgres') {
    it('lets exactly one of 20 concurrent registrations of one address (in different cases) through', async () => {
      const spellings = Array.from({ length: 20 }, (_, i) =>
        [...'crowd@example.com'].map((c, j) => ((i >> (j % 5)) & 1 ? c.toUpperCase() : c)).join(''),
      );
      const results = await Promise.all(spellings.map((email) => repo.add(registeredUser(email))));
      expect(results.filter((r) => r.isOk())).toHaveLength(1);
      const refused = results.filter((r) => r.isErr()).map((r) => r._unsafeUnwrapErr());
      expect(refused).toHaveLength(19);
      for (const error of refused) expect(error).toMatchObject({ type: 'users.email_taken', details: { field: 'email' } });
      expect((await repo.list({ limit: 100 })).items).toHaveLength(1);
      expect(await events()).toHaveLength(1);
    });

    it('makes a second load for update wait until the first unit of work commits, then see its save', async () => {
      const sql = backEnd.sql;
      if (sql === undefined) throw new Error('no database');
      const user = registeredUser('locked@example.com');
      await add(user);
      let firstLocked = false;
      const first = sql.transactions.transaction(async () => {
        const loaded = await repo.findById(user.id, { forUpdate: true });
        if (loaded === undefined) throw new Error('not found');
        firstLocked = true;
        await sleep(300);
        loaded.verifyEmail(new Date('2026-11-22T11:00:00Z'))._unsafeUnwrap();
        await repo.save(loaded);
      });
      while (!firstLocked) await sleep(5);
      const started = Date.now();
      const second = await sql.transactions.transaction(() =>
        repo.findByEmail('LOCKED@example.com' as Email, { forUpdate: true }),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      await first;
      expect(second?.state).toMatchObject({ status: 'active', version: 1 });
    });
  }
});
