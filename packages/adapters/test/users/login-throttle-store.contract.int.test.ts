/**
 * The behaviour every LoginThrottleStore must have, run against the in-memory store, PGlite
 * and PostgreSQL (not optional: without it the suite fails).
 */
import { createHash } from 'node:crypto';
import { InMemoryLoginThrottleStore, type LoginThrottleStore } from '@aura/application/users';
import type { LockoutPolicy } from '@aura/domain/users';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { KyselyLoginThrottleStore } from '../../src/users/kysely-login-throttle.store.js';
import type { UsersDb } from '../../src/users/users.tables.js';
import { contractTargets, useContractTarget } from './users-test-support.js';

const targets = contractTargets<LoginThrottleStore>({
  inMemory: () => new InMemoryLoginThrottleStore(),
  sql: (database) => new KyselyLoginThrottleStore(database.transactions),
});

const policy: LockoutPolicy = { threshold: 3, windowMs: 15 * 60_000, lockoutMs: 5 * 60_000 };
const T0 = new Date('2026-11-22T10:00:00.500Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);

describe.each(targets)('LoginThrottleStore contract: $name', (target) => {
  let store: LoginThrottleStore;
  const backEnd = useContractTarget(target, (fresh) => {
    store = fresh;
  });

  it('purges counters idle since the given time, keeping those still able to lock', async () => {
    await store.claim('email:idle@example.com', plus(0), policy);
    await store.claim('email:busy@example.com', plus(0), policy);
    await store.claim('email:busy@example.com', plus(20 * 60_000), policy);
    expect(await store.purgeIdleSince(plus(10 * 60_000))).toBe(1);
    // The purged key starts afresh; the kept one still counts its failures.
    expect(await store.claim('email:idle@example.com', plus(21 * 60_000), policy)).toMatchObject({ state: { failures: 1 } });
    expect(await store.claim('email:busy@example.com', plus(21 * 60_000), policy)).toMatchObject({ state: { failures: 2 } });
  });

  it('allows claims up to the threshold, counting them, then refuses with the lock end', async () => {
    const key = 'email:ada@example.com';
    const claims = [];
    for (let i = 0; i < 3; i += 1) claims.push(await store.claim(key, plus(i * 1_000), policy));
    expect(claims).toEqual([
      { allowed: true, reachesThreshold: false, state: { failures: 1, windowStartedAt: plus(0), lastFailureAt: plus(0) } },
      { allowed: true, reachesThreshold: false, state: { failures: 2, windowStartedAt: plus(0), lastFailureAt: plus(1_000) } },
      { allowed: true, reachesThreshold: true, state: { failures: 3, windowStartedAt: plus(0), lastFailureAt: plus(2_000) } },
    ]);
    const refused = await store.claim(key, plus(3_000), policy);
    expect(refused).toEqual({
      allowed: false,
      lockedUntil: plus(2_000 + policy.lockoutMs),
      state: { failures: 3, windowStartedAt: plus(0), lastFailureAt: plus(2_000) },
    });
    // A refusal does not extend the lock.
    expect(await store.claim(key, plus(4_000), policy)).toMatchObject({
      allowed: false,
      lockedUntil: plus(2_000 + policy.lockoutMs),
    });
    // Once it lifts, counting starts afresh.
    expect(await store.claim(key, plus(2_000 + policy.lockoutMs), policy)).toEqual({
      allowed: true,
      reachesThreshold: false,
      state: { failures: 1, windowStartedAt: plus(2_000 + policy.lockoutMs), lastFailureAt: plus(2_000 + policy.lockoutMs) },
    });
  });

  it('starts a new window once the old one is over', async () => {
    const key = 'email:window@example.com';
    await store.claim(key, plus(0), policy);
    await store.claim(key, plus(1_000), policy);
    expect(await store.claim(key, plus(policy.windowMs), policy)).toMatchObject({
      allowed: true,
      state: { failures: 1, windowStartedAt: plus(policy.windowMs) },
    });
  });

  it('forgets the failures of a cleared key', async () => {
    const key = 'email:clear@example.com';
    await store.claim(key, plus(0), policy);
    await store.claim(key, plus(1), policy);
    await store.claim(key, plus(2), policy);
    expect((await store.claim(key, plus(3), policy)).allowed).toBe(false);
    await store.clear(key);
    expect(await store.claim(key, plus(4), policy)).toMatchObject({ allowed: true, state: { failures: 1 } });
    // Clearing an unknown key is harmless.
    await store.clear('email:nobody@example.com');
  });

  it('counts each key on its own', async () => {
    for (let i = 0; i < 3; i += 1) await store.claim('email:one@example.com', plus(i), policy);
    expect((await store.claim('email:one@example.com', plus(10), policy)).allowed).toBe(false);
    expect(await store.claim('email:two@example.com', plus(10), policy)).toMatchObject({ allowed: true, state: { failures: 1 } });
    expect(await store.claim('EMAIL:ONE@EXAMPLE.COM', plus(10), policy)).toMatchObject({ allowed: true, state: { failures: 1 } });
  });

  if (target.name !== 'in-memory') {
    it('stores a SHA-256 of the key, never the key itself', async () => {
      const sql = backEnd.sql;
      if (sql === undefined) throw new Error('no database');
      await store.claim('email:secret@example.com', T0, policy);
      const rows = await (sql.db as Kysely<UsersDb>).selectFrom('users.login_throttle').selectAll().execute();
      expect(rows).toEqual([
        {
          key: createHash('sha256').update('email:secret@example.com').digest('hex'),
          failures: 1,
          window_started_at: T0,
          last_failure_at: T0,
        },
      ]);
    });
  }

  if (target.name === 'postgres') {
    it('lets exactly `threshold` of 20 concurrent claims through', async () => {
      const crowd: LockoutPolicy = { threshold: 5, windowMs: 60_000, lockoutMs: 60_000 };
      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claim('email:crowd@example.com', T0, crowd)));
      const allowed = claims.filter((c) => c.allowed);
      expect(allowed).toHaveLength(5);
      expect(allowed.map((c) => c.state.failures).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(claims.filter((c) => c.allowed && c.reachesThreshold)).toHaveLength(1);
      for (const refused of claims.filter((c) => !c.allowed))
        expect(refused).toMatchObject({ lockedUntil: new Date(T0.getTime() + 60_000) });
    });
  }
});
