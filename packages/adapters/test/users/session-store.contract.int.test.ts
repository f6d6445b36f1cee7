/**
 * The behaviour every SessionStore must have, run against the in-memory store, PGlite and
 * PostgreSQL (not optional: without it the suite fails).
 */
import { InMemorySessionStore, type SessionStore } from '@aura/application/users';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { KyselySessionStore } from '../../src/users/kysely-session.store.js';
import type { UsersDb } from '../../src/users/users.tables.js';
import { contractTargets, ids, sleep, useContractTarget } from './users-test-support.js';

interface FamilyRecord {
  readonly userId: string;
  readonly revokedAt: Date | null;
  readonly revokedReason: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

interface Harness {
  readonly store: SessionStore;
  /** A user the tokens can belong to. */
  user(): Promise<string>;
  /** A family as stored (what the port does not read back). */
  family(familyId: string): Promise<FamilyRecord | undefined>;
}

const targets = contractTargets<Harness>({
  inMemory: () => {
    const store = new InMemorySessionStore();
    const users: string[] = [];
    return {
      store,
      user: async () => {
        const id = ids.next();
        users.push(id);
        return id;
      },
      family: async (familyId) => {
        const found = users.flatMap((u) => store.familiesOf(u)).find((f) => f.id === familyId);
        return found === undefined
          ? undefined
          : {
              userId: found.userId,
              revokedAt: found.revokedAt,
              revokedReason: found.revokedReason,
              ip: found.ip,
              userAgent: found.userAgent,
            };
      },
    };
  },
  sql: (database) => ({
    store: new KyselySessionStore(database.transactions),
    user: () => database.seedUser(),
    family: async (familyId) => {
      const row = await (database.db as Kysely<UsersDb>)
        .selectFrom('users.refresh_token_families')
        .selectAll()
        .where('id', '=', familyId)
        .executeTakeFirst();
      return row === undefined
        ? undefined
        : {
            userId: row.user_id,
            revokedAt: row.revoked_at,
            revokedReason: row.revoked_reason,
            ip: row.ip,
            userAgent: row.user_agent,
          };
    },
  }),
});

const T0 = new Date('2026-11-22T10:00:00.123Z');
const plus = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 24 * 3_600_000;
/** A distinct stand-in for a token hash. */
const hash = () => `sha256-${ids.next()}`;

describe.each(targets)('SessionStore contract: $name', (target) => {
  let store: SessionStore;
  let harness: Harness;
  const backEnd = useContractTarget(target, (fresh) => {
    harness = fresh;
    store = fresh.store;
  });

  async function start(userId: string, client: { ip?: string; userAgent?: string } = {}) {
    const familyId = ids.next();
    const tokenHash = hash();
    await store.startFamily({ familyId, userId, tokenHash, issuedAt: T0, expiresAt: plus(30 * DAY), client });
    return { familyId, tokenHash };
  }

  it('purges expired tokens and the families they leave empty, keeping live ones', async () => {
    const userId = await harness.user();
    const expiring = await start(userId);
    const next = hash();
    await store.rotate({
      usedTokenHash: expiring.tokenHash,
      familyId: expiring.familyId,
      userId,
      tokenHash: next,
      issuedAt: plus(DAY),
      expiresAt: plus(40 * DAY),
    });
    const gone = await start(userId);
    expect(await store.purgeExpired(plus(35 * DAY))).toBe(2);
    expect(await store.findForRotation(expiring.tokenHash)).toBeUndefined();
    expect(await store.findForRotation(gone.tokenHash)).toBeUndefined();
    expect(await store.findForRotation(next)).toMatchObject({ familyId: expiring.familyId, usedAt: null });
    // The emptied family is gone: revoking everything of the user finds only the live one.
    expect(await store.revokeAllForUser(userId, plus(36 * DAY), 'logout_all')).toBe(1);
  });

  it('starts a family whose first token is found for rotation, live and unused', async () => {
    const userId = await harness.user();
    const { familyId, tokenHash } = await start(userId, { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (test)' });
    expect(await store.findForRotation(tokenHash)).toEqual({
      tokenHash,
      familyId,
      userId,
      usedAt: null,
      expiresAt: plus(30 * DAY),
      familyRevokedAt: null,
    });
    expect(await harness.family(familyId)).toEqual({
      userId,
      revokedAt: null,
      revokedReason: null,
      ip: '203.0.113.7',
      userAgent: 'Mozilla/5.0 (test)',
    });
  });

  it('stores a family without client details', async () => {
    const userId = await harness.user();
    const { familyId } = await start(userId);
    expect(await harness.family(familyId)).toMatchObject({ ip: null, userAgent: null });
  });

  it('finds nothing for an unknown token', async () => {
    expect(await store.findForRotation('sha256-unknown')).toBeUndefined();
  });

  it('rotates: marks the presented token used and adds its successor to the family', async () => {
    const userId = await harness.user();
    const { familyId, tokenHash } = await start(userId);
    const next = hash();
    await store.rotate({
      usedTokenHash: tokenHash,
      familyId,
      userId,
      tokenHash: next,
      issuedAt: plus(1_000),
      expiresAt: plus(31 * DAY),
    });

    expect(await store.findForRotation(tokenHash)).toMatchObject({ usedAt: plus(1_000), familyId, familyRevokedAt: null });
    expect(await store.findForRotation(next)).toEqual({
      tokenHash: next,
      familyId,
      userId,
      usedAt: null,
      expiresAt: plus(31 * DAY),
      familyRevokedAt: null,
    });

    const third = hash();
    await store.rotate({
      usedTokenHash: next,
      familyId,
      userId,
      tokenHash: third,
      issuedAt: plus(2_000),
      expiresAt: plus(32 * DAY),
    });
    expect((await store.findForRotation(next))?.usedAt).toEqual(plus(2_000));
    expect((await store.findForRotation(third))?.usedAt).toBeNull();
  });

  it('refuses to rotate a token that was already used (the family must not fork)', async () => {
    const userId = await harness.user();
    const { familyId, tokenHash } = await start(userId);
    await store.rotate({
      usedTokenHash: tokenHash,
      familyId,
      userId,
      tokenHash: hash(),
      issuedAt: plus(1),
      expiresAt: plus(DAY),
    });
    const fork = hash();
    await expect(
      store.rotate({ usedTokenHash: tokenHash, familyId, userId, tokenHash: fork, issuedAt: plus(2), expiresAt: plus(DAY) }),
    ).rejects.toThrow();
    expect(await store.findForRotation(fork)).toBeUndefined();
  });

  it('revokes a live family once: true, then false; its tokens then carry the revocation time', async () => {
    const userId = await harness.user();
    const { familyId, tokenHash } = await start(userId);
    const next = hash();
    await store.rotate({ usedTokenHash: tokenHash, familyId, userId, tokenHash: next, issuedAt: plus(1), expiresAt: plus(DAY) });

    expect(await store.revokeFamily(familyId, plus(5_000), 'logout')).toBe(true);
    expect(await store.revokeFamily(familyId, plus(6_000), 'reuse')).toBe(false);
    expect((await store.findForRotation(tokenHash))?.familyRevokedAt).toEqual(plus(5_000));
    expect((await store.findForRotation(next))?.familyRevokedAt).toEqual(plus(5_000));
    // The first revocation stands.
    expect(await harness.family(familyId)).toMatchObject({ revokedAt: plus(5_000), revokedReason: 'logout' });
    expect(await store.revokeFamily(ids.next(), plus(7_000), 'logout')).toBe(false);
  });

  it("revokes every live family of a user, counting only those, and nobody else's", async () => {
    const userId = await harness.user();
    const otherId = await harness.user();
    const a = await start(userId);
    const b = await start(userId);
    const c = await start(userId);
    const others = await start(otherId);
    await store.revokeFamily(a.familyId, plus(1_000), 'logout');

    expect(await store.revokeAllForUser(userId, plus(2_000), 'password_changed')).toBe(2);
    expect(await store.revokeAllForUser(userId, plus(3_000), 'logout_all')).toBe(0);
    expect((await store.findForRotation(a.tokenHash))?.familyRevokedAt).toEqual(plus(1_000));
    expect((await store.findForRotation(b.tokenHash))?.familyRevokedAt).toEqual(plus(2_000));
    expect((await store.findForRotation(c.tokenHash))?.familyRevokedAt).toEqual(plus(2_000));
    expect(await harness.family(c.familyId)).toMatchObject({ revokedReason: 'password_changed' });
    expect((await store.findForRotation(others.tokenHash))?.familyRevokedAt).toBeNull();
    expect(await store.revokeAllForUser(ids.next(), plus(4_000), 'deactivated')).toBe(0);
  });

  if (target.name === 'postgres') {
    it('makes a second refresh with the same token wait for the first to commit, then see the token used', async () => {
      const sql = backEnd.sql;
      if (sql === undefined) throw new Error('no database');
      const userId = await harness.user();
      const { familyId, tokenHash } = await start(userId);
      const successor = hash();
      let firstLocked = false;
      let firstCommittedAt = 0;
      const first = sql.transactions
        .transaction(async () => {
          const token = await store.findForRotation(tokenHash);
          expect(token?.usedAt).toBeNull();
          firstLocked = true;
          await sleep(300);
          await store.rotate({
            usedTokenHash: tokenHash,
            familyId,
            userId,
            tokenHash: successor,
            issuedAt: plus(1_000),
            expiresAt: plus(DAY),
          });
        })
        .then(() => {
          firstCommittedAt = Date.now();
        });
      while (!firstLocked) await sleep(5);
      const started = Date.now();
      const second = await sql.transactions.transaction(async () => {
        const token = await store.findForRotation(tokenHash);
        return { token, readAt: Date.now() };
      });
      await first;
      expect(second.readAt - started).toBeGreaterThanOrEqual(200);
      expect(second.token?.usedAt).toEqual(plus(1_000));
      expect(firstCommittedAt).toBeGreaterThan(0);
    });
  }
});
