import type { SessionRevocationReason, SessionStore, StoredRefreshToken } from '@aura/application/users';
import { inject, injectable } from 'inversify';
import { TransactionManager } from '../platform/db/transactions.js';
import type { UsersDb } from './users.tables.js';

/**
 * Refresh-token families and their tokens. `findForRotation` locks the token row
 * (`FOR UPDATE OF t`), so two refreshes with one token queue up: the second sees the token
 * used by the first.
 */
@injectable()
export class KyselySessionStore implements SessionStore {
  constructor(@inject(TransactionManager) private readonly transactions: TransactionManager) {}

  private get db() {
    return this.transactions.executor<UsersDb>();
  }

  async startFamily(input: Parameters<SessionStore['startFamily']>[0]): Promise<void> {
    await this.transactions.join(async () => {
      await this.db
        .insertInto('users.refresh_token_families')
        .values({
          id: input.familyId,
          user_id: input.userId,
          created_at: input.issuedAt,
          ip: input.client.ip ?? null,
          user_agent: input.client.userAgent ?? null,
        })
        .execute();
      await this.#addToken(input);
    });
  }

  async findForRotation(tokenHash: string): Promise<StoredRefreshToken | undefined> {
    const row = await this.db
      .selectFrom('users.refresh_tokens as t')
      .innerJoin('users.refresh_token_families as f', 'f.id', 't.family_id')
      .select(['t.token_hash', 't.family_id', 't.user_id', 't.used_at', 't.expires_at', 'f.revoked_at'])
      .where('t.token_hash', '=', tokenHash)
      .forUpdate('t')
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      tokenHash: row.token_hash,
      familyId: row.family_id,
      userId: row.user_id,
      usedAt: row.used_at,
      expiresAt: row.expires_at,
      familyRevokedAt: row.revoked_at,
    };
  }

  async rotate(input: Parameters<SessionStore['rotate']>[0]): Promise<void> {
    await this.transactions.join(async () => {
      const used = await this.db
        .updateTable('users.refresh_tokens')
        .set({ used_at: input.issuedAt })
        .where('token_hash', '=', input.usedTokenHash)
        .where('family_id', '=', input.familyId)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      // Two successors for one token would fork the family: the caller must hold the row lock.
      if (used.numUpdatedRows === 0n) throw new Error('the refresh token to rotate is unknown or already used');
      await this.#addToken(input);
    });
  }

  async #addToken(token: {
    readonly tokenHash: string;
    readonly familyId: string;
    readonly userId: string;
    readonly issuedAt: Date;
    readonly expiresAt: Date;
  }): Promise<void> {
    await this.db
      .insertInto('users.refresh_tokens')
      .values({
        token_hash: token.tokenHash,
        family_id: token.familyId,
        user_id: token.userId,
        issued_at: token.issuedAt,
        expires_at: token.expiresAt,
      })
      .execute();
  }

  async revokeFamily(familyId: string, at: Date, reason: SessionRevocationReason): Promise<boolean> {
    const result = await this.db
      .updateTable('users.refresh_token_families')
      .set({ revoked_at: at, revoked_reason: reason })
      .where('id', '=', familyId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async revokeAllForUser(userId: string, at: Date, reason: SessionRevocationReason): Promise<number> {
    const result = await this.db
      .updateTable('users.refresh_token_families')
      .set({ revoked_at: at, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async purgeExpired(before: Date): Promise<number> {
    return this.transactions.join(async () => {
      const tokens = await this.db.deleteFrom('users.refresh_tokens').where('expires_at', '<', before).executeTakeFirst();
      await this.db
        .deleteFrom('users.refresh_token_families as f')
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('users.refresh_tokens as t').select('t.token_hash').whereRef('t.family_id', '=', 'f.id'))),
        )
        .execute();
      return Number(tokens.numDeletedRows);
    });
  }
}
