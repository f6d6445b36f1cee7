/**
 * The behaviour every OneTimeTokenStore must have, run against the in-memory store, PGlite
 * and PostgreSQL (not optional: without it the suite fails).
 */
import { InMemoryOneTimeTokenStore, type OneTimeTokenStore } from '@aura/application/users';
import type { OneTimeTokenPurpose } from '@aura/domain/users';
import { describe, expect, it } from 'vitest';
import { KyselyOneTimeTokenStore } from '../../src/users/kysely-one-time-token.store.js';
import { contractTargets, ids, sleep, useContractTarget } from './users-test-support.js';

interface Harness {
  readonly store: OneTimeTokenStore;
  user(): Promise<string>;
}

const targets = contractTargets<Harness>({
  inMemory: () => ({ store: new InMemoryOneTimeTokenStore(), user: async () => ids.next() }),
  sql: (database) => ({ store: new KyselyOneTimeTokenStore(database.transactions), user: () => database.seedUser() }),
});

const T0 = new Date('2026-11-22T10:00:00.321Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;
/** A distinct stand-in for a token hash. */
const hash = () => `sha256-${ids.next()}`;

describe.each(targets)('OneTimeTokenStore contract: $name', (target) => {
  let store: OneTimeTokenStore;
  let harness: Harness;
  const backEnd = useContractTarget(target, (fresh) => {
    harness = fresh;
    store = fresh.store;
  });

  async function issue(userId: string, purpose: OneTimeTokenPurpose, createdAt = T0) {
    const tokenHash = hash();
    await store.issue({ tokenHash, userId, purpose, createdAt, expiresAt: new Date(createdAt.getTime() + HOUR) });
    return tokenHash;
  }

  it('withdraws a user’s unused tokens of one purpose, leaving used ones, other purposes and other users', async () => {
    const userId = await harness.user();
    const other = await harness.user();
    const used = await issue(userId, 'password_reset', T0);
    await store.markUsed(used, plus(1_000));
    const pending = await issue(userId, 'password_reset', plus(2_000));
    const verification = await issue(userId, 'email_verification', plus(2_000));
    const othersReset = await issue(other, 'password_reset', plus(2_000));
    expect(await store.withdrawUnused(userId, 'password_reset')).toBe(1);
    expect(await store.findForUse(pending)).toBeUndefined();
    expect(await store.findForUse(used)).toMatchObject({ usedAt: plus(1_000) });
    expect(await store.findForUse(verification)).toMatchObject({ usedAt: null });
    expect(await store.findForUse(othersReset)).toMatchObject({ usedAt: null });
    expect(await store.withdrawUnused(userId, 'password_reset')).toBe(0);
  });

  it('purges tokens, used or not, that expired before the given time, and keeps the others', async () => {
    const userId = await harness.user();
    const old = await issue(userId, 'email_verification', T0);
    await store.markUsed(old, plus(1_000));
    const oldUnused = await issue(userId, 'password_reset', T0);
    const fresh = await issue(userId, 'email_verification', plus(2 * HOUR));
    expect(await store.purgeExpired(plus(HOUR + 1))).toBe(2);
    expect(await store.findForUse(old)).toBeUndefined();
    expect(await store.findForUse(oldUnused)).toBeUndefined();
    expect(await store.findForUse(fresh)).toMatchObject({ usedAt: null });
    expect(await store.purgeExpired(plus(HOUR + 1))).toBe(0);
  });

  it('issues a token, finds it for use, and marks it used', async () => {
    const userId = await harness.user();
    const tokenHash = await issue(userId, 'email_verification');
    expect(await store.findForUse(tokenHash)).toEqual({
      tokenHash,
      userId,
      purpose: 'email_verification',
      createdAt: T0,
      expiresAt: plus(HOUR),
      usedAt: null,
    });
    await store.markUsed(tokenHash, plus(60_000));
    expect(await store.findForUse(tokenHash)).toMatchObject({ usedAt: plus(60_000) });
  });

  it('finds nothing for an unknown token, and marking one used does nothing', async () => {
    expect(await store.findForUse('sha256-unknown')).toBeUndefined();
    await store.markUsed('sha256-unknown', T0);
    expect(await store.findForUse('sha256-unknown')).toBeUndefined();
  });

  it("withdraws the user's earlier unused token of the same purpose, not of the other purpose or user, nor used ones", async () => {
    const userId = await harness.user();
    const otherUser = await harness.user();
    const firstVerification = await issue(userId, 'email_verification', plus(0));
    const reset = await issue(userId, 'password_reset', plus(1_000));
    const usedVerification = await issue(userId, 'email_verification', plus(2_000));
    await store.markUsed(usedVerification, plus(2_500));
    const othersVerification = await issue(otherUser, 'email_verification', plus(2_600));
    const latestVerification = await issue(userId, 'email_verification', plus(3_000));

    expect(await store.findForUse(firstVerification)).toBeUndefined();
    expect((await store.findForUse(reset))?.purpose).toBe('password_reset');
    expect(await store.findForUse(usedVerification)).toMatchObject({ usedAt: plus(2_500) });
    expect(await store.findForUse(othersVerification)).toMatchObject({ userId: otherUser, usedAt: null });
    expect(await store.findForUse(latestVerification)).toMatchObject({ createdAt: plus(3_000), usedAt: null });
  });

  it('tells when the latest token of a purpose was issued to a user', async () => {
    const userId = await harness.user();
    const otherUser = await harness.user();
    expect(await store.lastIssuedAt(userId, 'email_verification')).toBeUndefined();
    await issue(userId, 'email_verification', plus(0));
    await issue(userId, 'password_reset', plus(5_000));
    const used = await issue(userId, 'email_verification', plus(10_000));
    await store.markUsed(used, plus(11_000));
    await issue(otherUser, 'email_verification', plus(20_000));

    expect(await store.lastIssuedAt(userId, 'email_verification')).toEqual(plus(10_000));
    expect(await store.lastIssuedAt(userId, 'password_reset')).toEqual(plus(5_000));
    expect(await store.lastIssuedAt(otherUser, 'email_verification')).toEqual(plus(20_000));
    expect(await store.lastIssuedAt(otherUser, 'password_reset')).toBeUndefined();
  });

  if (target.name === 'postgres') {
    it('locks a token found for use until the unit of work ends', async () => {
      const sql = backEnd.sql;
      if (sql === undefined) throw new Error('no database');
      const userId = await harness.user();
      const tokenHash = await issue(userId, 'password_reset');
      let firstLocked = false;
      const first = sql.transactions.transaction(async () => {
        await store.findForUse(tokenHash);
        firstLocked = true;
        await sleep(300);
        await store.markUsed(tokenHash, plus(1_000));
      });
      while (!firstLocked) await sleep(5);
      const started = Date.now();
      const second = await sql.transactions.transaction(() => store.findForUse(tokenHash));
      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      await first;
      expect(second?.usedAt).toEqual(plus(1_000));
    });
  }
});
