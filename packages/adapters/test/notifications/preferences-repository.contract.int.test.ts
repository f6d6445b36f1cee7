/**
 * The behaviour every PreferencesRepository must have, run against the in-memory repository,
 * PGlite and PostgreSQL (not optional: without it the suite fails).
 */
import { InMemoryPreferencesRepository, type PreferencesRepository } from '@aura/application/notifications';
import { changePreferences, defaultPreferences, type NotificationPreferences } from '@aura/domain/notifications';
import { notificationPreferencesArbitrary, preferencesInputArbitrary } from '@aura/domain/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KyselyPreferencesRepository } from '../../src/notifications/kysely-preferences.repository.js';
import { at, contractTargets, ids, useContractTarget } from './notifications-test-support.js';

interface Harness {
  readonly repo: PreferencesRepository;
  /** Runs `work` in a unit of work of its own (SQL), or just runs it (in memory). */
  unitOfWork<T>(work: () => Promise<T>): Promise<T>;
}

const targets = contractTargets<Harness>({
  inMemory: () => ({ repo: new InMemoryPreferencesRepository(), unitOfWork: (work) => work() }),
  sql: (database) => ({
    repo: new KyselyPreferencesRepository(database.transactions),
    unitOfWork: (work) => database.transactions.transaction(work),
  }),
});

describe.each(targets)('PreferencesRepository contract: $name', (target) => {
  let repo: PreferencesRepository;
  let unitOfWork: Harness['unitOfWork'];
  useContractTarget(target, (fresh) => {
    ({ repo, unitOfWork } = fresh);
  });

  const full = (userId: string): NotificationPreferences => ({
    userId,
    channels: {
      email: { transactional: true, reminder: false, announcement: true },
      sms: { transactional: false, reminder: true, announcement: false },
      push: { transactional: true, reminder: true, announcement: false },
    },
    quietHours: { start: '22:30', end: '07:15' },
    phoneNumber: '+4915112345678',
    pushToken: `${'t0k3n-'.repeat(682)}abcd`,
    updatedAt: at('2026-11-23T09:10:11.123Z'),
  });

  it('gives the defaults to someone who never saved any (every channel and category wanted, nothing else)', async () => {
    const userId = ids.next();
    expect(await repo.get(userId)).toEqual(defaultPreferences(userId));
    expect(await repo.get('not-a-uuid')).toEqual(defaultPreferences('not-a-uuid'));
  });

  it('returns saved preferences as they were: choices, quiet hours, phone number, push token, time', async () => {
    const userId = ids.next();
    const saved = full(userId);
    expect(saved.pushToken).toHaveLength(4096);
    await repo.save(saved);
    expect(await repo.get(userId)).toEqual(saved);
    expect((await repo.get(userId)).updatedAt?.getTime()).toBe(saved.updatedAt?.getTime());
    // Someone else still has the defaults.
    const other = ids.next();
    expect(await repo.get(other)).toEqual(defaultPreferences(other));
  });

  it('replaces the whole on a second save (an upsert), clearing what was cleared', async () => {
    const userId = ids.next();
    await repo.save(full(userId));
    const replaced: NotificationPreferences = {
      ...defaultPreferences(userId),
      channels: { ...defaultPreferences(userId).channels, sms: { transactional: true, reminder: false, announcement: false } },
      updatedAt: at('2026-11-24T00:00:00.000Z'),
    };
    await repo.save(replaced);
    expect(await repo.get(userId)).toEqual(replaced);
    // Saving the defaults (never changed: no time) is stored as such.
    await repo.save(defaultPreferences(userId));
    expect(await repo.get(userId)).toEqual(defaultPreferences(userId));
  });

  it('keeps what changePreferences makes of the current preferences, change after change', async () => {
    const userId = ids.next();
    await fc.assert(
      fc.asyncProperty(preferencesInputArbitrary, fc.integer({ min: 0, max: 10_000_000 }), async (input, minute) => {
        const current = await repo.get(userId);
        const changed = changePreferences(current, input, new Date(Date.UTC(2026, 0, 1) + minute * 60_000))._unsafeUnwrap();
        await repo.save(changed);
        expect(await repo.get(userId)).toEqual(changed);
      }),
      { numRuns: 40 },
    );
  });

  it('round-trips any preferences a person may have', async () => {
    await fc.assert(
      fc.asyncProperty(notificationPreferencesArbitrary, async (preferences) => {
        await repo.save(preferences);
        expect(await repo.get(preferences.userId)).toEqual(preferences);
      }),
      { numRuns: 40 },
    );
  });

  it('finds the preferences of a user id in capitals (a uuid is case-insensitive)', async () => {
    const userId = ids.next();
    await repo.save(full(userId));
    expect(await repo.get(userId.toUpperCase())).toEqual(full(userId));
  });

  if (target.name !== 'in-memory') {
    it('saves nothing when the unit of work rolls back', async () => {
      const userId = ids.next();
      await expect(
        unitOfWork(async () => {
          await repo.save(full(userId));
          expect(await repo.get(userId)).toEqual(full(userId));
          throw new Error('the use case failed');
        }),
      ).rejects.toThrow('the use case failed');
      expect(await repo.get(userId)).toEqual(defaultPreferences(userId));
    });
  }

  it('lets the last of concurrent saves of one person win whole, never a mix', async () => {
    const userId = ids.next();
    const versions = Array.from({ length: 8 }, (_, i) => ({
      ...full(userId),
      phoneNumber: `+49151123456${String(i).padStart(2, '0')}`,
      quietHours: i % 2 === 0 ? null : { start: `0${i}:00`, end: '23:00' },
      updatedAt: new Date(Date.UTC(2026, 10, 23, 9, i)),
    }));
    await Promise.all(versions.map((v) => unitOfWork(() => repo.save(v))));
    const stored = await repo.get(userId);
    expect(versions).toContainEqual(stored);
  });
});
